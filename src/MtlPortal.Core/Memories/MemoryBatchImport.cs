using System.Text.Json;
using MtlPortal.Memories.Abstraction;
using MtlPortal.Persistence;
using MtlPortal.Settings;
using MtlPortal.Validation;

namespace MtlPortal.Memories;

/// <summary>One memory of a batch (an import): what it says, and where it came from, which its audit entries record.</summary>
/// <param name="Origin">Where it came from, for people reading the audit trail, e.g. "memories.jsonl line 17".</param>
public sealed record NewMemory(MemoryDraft Draft, string Origin);

/// <summary>A problem with a batch of new memories: the index of the memory it concerns (null: the batch as a whole) and the field error.</summary>
public sealed record BatchError(int? Index, string Field, string Message);

/// <summary>The stages of <see cref="MemoryBatchImport.CreateManyAsync"/>; each counts memories from 0 to the batch's size.</summary>
public enum BatchStage
{
    /// <summary>Validating, resolving teams and linting, before anything is written.</summary>
    Checking = 0,

    /// <summary>Computing embeddings, a chunk of memories per call to the model.</summary>
    Embedding = 1,

    /// <summary>Writing everything in one transaction: reported at 0 before, and at the total once committed.</summary>
    Saving = 2,
}

/// <summary>How far a batch of new memories has got.</summary>
public readonly record struct BatchProgress(BatchStage Stage, int Done, int Total);

/// <summary>The outcome of a batch: the new memories' ids in batch order, or the errors, in which case nothing was written.</summary>
public sealed record BatchResult(IReadOnlyList<Guid> MemoryIds, IReadOnlyList<BatchError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// Many new memories at once, as an import writes them: all checked first (nothing is written when any fails),
/// embedded a chunk per call to the model, and written in one transaction through <see cref="MemoryWriter"/>.
/// </summary>
public sealed class MemoryBatchImport(MemoryWriter writer, MemoryAnalyzer analyzer, ReviewSettingsStore settingsStore)
{
    /// <summary>The audit action of a memory an admin imported straight into the pool, skipping review.</summary>
    public const string ImportedApprovedAction = "memory.imported-approved";

    // Small enough for a remote model's per-request limits, large enough that 1,000 memories take a few calls.
    private const int EmbeddingChunk = 64;

    /// <summary>
    /// Checks new memories as <see cref="MemoryAuthoring.SaveAsync"/> checks one that is submitted (content, provenance, team, the
    /// abstraction gate), and writes nothing. With <paramref name="approve"/>: as an admin's import into the pool.
    /// </summary>
    public async Task<IReadOnlyList<BatchError>> CheckManyAsync(Actor actor, IReadOnlyList<MemoryDraft> drafts, bool approve, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var change = await writer.BeginAsync(cancellationToken);
        return (await CheckBatchAsync(change, actor, drafts, approve, progress, cancellationToken)).Errors;
    }

    /// <summary>
    /// Creates many memories at once, as an import does. Every one is checked first, as <see cref="CheckManyAsync"/>
    /// does; if any fails, nothing is written. Then all are embedded, a chunk per call to the model, and written with
    /// their audit entries in one transaction: each in review (created, then submitted), or, with
    /// <paramref name="approve"/> (admins only, never a default), straight into the pool, audited as
    /// <see cref="ImportedApprovedAction"/> by the admin. One more entry records the batch as a whole.
    /// </summary>
    /// <param name="batchOrigin">What the batch came from, e.g. the file's name, for the audit trail.</param>
    /// <param name="alongside">
    /// Rows that belong with the new memories (given their ids in order), added to the same save: they land together
    /// or not at all.
    /// </param>
    public async Task<BatchResult> CreateManyAsync(
        Actor actor, IReadOnlyList<NewMemory> memories, bool approve, string batchOrigin, IProgress<BatchProgress>? progress = null,
        Action<PortalDbContext, IReadOnlyList<Guid>>? alongside = null, CancellationToken cancellationToken = default)
    {
        await using var change = await writer.BeginAsync(cancellationToken);
        var check = await CheckBatchAsync(change, actor, [.. memories.Select(m => m.Draft)], approve, progress, cancellationToken);
        if (check.Errors.Count > 0)
        {
            return new BatchResult([], check.Errors);
        }

        var vectors = new List<float[]>(memories.Count);
        foreach (var chunk in memories.Chunk(EmbeddingChunk))
        {
            vectors.AddRange(await analyzer.EmbedManyAsync([.. chunk.Select(m => m.Draft.Content.TextForEmbedding())], cancellationToken));
            progress?.Report(new BatchProgress(BatchStage.Embedding, vectors.Count, memories.Count));
        }

        var now = change.Now;
        var ids = new List<Guid>(memories.Count);
        var approvals = new List<(Memory, MemoryRevision)>();
        for (var i = 0; i < memories.Count; i++)
        {
            var (draft, origin) = memories[i];
            var analysis = new MemoryAnalysis(check.Reports[i], vectors[i], analyzer.EmbeddingModel);
            var (memory, revision) = change.AddMemory(actor, draft.Content, check.Provenances[i], check.Teams[i], analysis, now, $"imported from {origin}");
            revision.SubmittedAt = now;
            if (approve)
            {
                change.Transition(actor, memory, revision, RevisionState.Approved, $"imported as approved, without review, from {origin}", ImportedApprovedAction);
                revision.DecidedAt = now;
                approvals.Add((memory, revision));
            }
            else
            {
                change.Transition(actor, memory, revision, RevisionState.InReview, $"imported from {origin}");
            }

            ids.Add(memory.Id);
        }

        change.Record(actor.UserId, approve ? "memories.imported-approved" : "memories.imported", "import", Guid.CreateVersion7().ToString(),
            JsonSerializer.Serialize(new { count = ids.Count, state = approve ? "Approved" : "InReview", from = batchOrigin }));
        alongside?.Invoke(change.Db, ids);
        progress?.Report(new BatchProgress(BatchStage.Saving, 0, memories.Count));
        // A new memory and its revision point at each other (ApprovedRevisionId, MemoryId): EF cannot insert both
        // in one statement order, so the approved revision is linked by a second save in the same transaction.
        var saved = await change.SaveAsync<IReadOnlyList<Guid>>(ids, cancellationToken, approvals.Count == 0 ? null : async () =>
        {
            foreach (var (memory, revision) in approvals)
            {
                await change.ApproveAsync(actor, memory, revision, cancellationToken);
            }
        });
        if (!saved.Succeeded)
        {
            return new BatchResult([], [.. saved.Errors.Select(e => new BatchError(null, e.Field, e.Message))]);
        }

        progress?.Report(new BatchProgress(BatchStage.Saving, memories.Count, memories.Count));
        return new BatchResult(ids, []);
    }

    private async Task<BatchCheck> CheckBatchAsync(MemoryChange change, Actor actor, IReadOnlyList<MemoryDraft> drafts, bool approve, IProgress<BatchProgress>? progress, CancellationToken cancellationToken)
    {
        var refusal = MemoryAuthoring.CreateRefusal(actor) ?? (approve && !actor.IsAdmin
            ? "Only an admin can import memories as approved: they skip review."
            : null);
        if (refusal is not null)
        {
            return new BatchCheck([new BatchError(null, "", refusal)], [], [], []);
        }

        // Read once for the whole batch, which may check thousands of insights and name the same team throughout.
        var settings = await settingsStore.GetAsync(cancellationToken);
        var knownTeams = new Dictionary<Guid, bool>();
        var errors = new List<BatchError>();
        var reports = new AbstractionReport[drafts.Count];
        var provenances = new Provenance[drafts.Count];
        var teams = new Guid[drafts.Count];
        for (var i = 0; i < drafts.Count; i++)
        {
            var draft = drafts[i];
            provenances[i] = draft.Provenance.Normalized();
            var itemErrors = draft.Content.Validate().Concat(provenances[i].Validate()).ToList();
            var (team, teamError) = await MemoryAuthoring.ResolveTeamAsync(change.Db, actor, draft.TeamId, knownTeams, cancellationToken);
            teams[i] = team;
            if (teamError is not null)
            {
                itemErrors.Add(teamError);
            }

            if (itemErrors.Count == 0)
            {
                reports[i] = await analyzer.LintAsync(draft.Content, cancellationToken);
                if (MemoryAuthoring.AbstractionGate(settings, draft.Content.Kind, reports[i].Score) is { } gate)
                {
                    itemErrors.Add(new FieldError("", gate));
                }
            }

            errors.AddRange(itemErrors.Select(e => new BatchError(i, e.Field, e.Message)));
            progress?.Report(new BatchProgress(BatchStage.Checking, i + 1, drafts.Count));
        }

        return new BatchCheck(errors, reports, provenances, teams);
    }

    private sealed record BatchCheck(IReadOnlyList<BatchError> Errors, IReadOnlyList<AbstractionReport> Reports, IReadOnlyList<Provenance> Provenances, IReadOnlyList<Guid> Teams);
}
