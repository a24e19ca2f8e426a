using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Auditing;
using MtlPortal.Memories.Abstraction;
using MtlPortal.Persistence;
using MtlPortal.Settings;
using MtlPortal.Validation;

namespace MtlPortal.Memories;

/// <summary>What a contributor writes: the content, where it came from, and (on creation) the owning team.</summary>
public sealed record MemoryDraft(MemoryContent Content, Provenance Provenance, Guid? TeamId = null);

/// <summary>One memory of a batch (an import): what it says, and where it came from, which its audit entries record.</summary>
/// <param name="Origin">Where it came from, for people reading the audit trail, e.g. "memories.jsonl line 17".</param>
public sealed record NewMemory(MemoryDraft Draft, string Origin);

/// <summary>A problem with a batch of new memories: the index of the memory it concerns (null: the batch as a whole) and the field error.</summary>
public sealed record BatchError(int? Index, string Field, string Message);

/// <summary>The stages of <see cref="MemoryWorkflow.CreateManyAsync"/>; each counts memories from 0 to the batch's size.</summary>
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
/// Every change to memories: writing, submitting, reviewing, revising, archiving, commenting. Each method checks
/// <see cref="MemoryLifecycle"/>, writes the change with its audit entry in one transaction, and tells other
/// portal instances (PostgreSQL NOTIFY) when the approved pool changed. Two people acting on the same memory at
/// once: the second gets a conflict and nothing of theirs is written. Scoped: one per operation.
/// </summary>
public sealed class MemoryWorkflow(
    PortalDbContext db,
    MemoryAnalyzer analyzer,
    ReviewSettingsStore settingsStore,
    AuditTrail audit,
    TimeProvider clock,
    IEnumerable<IPoolObserver> observers)
{
    /// <summary>The PostgreSQL NOTIFY channel that carries the id of a memory whose approved revision changed.</summary>
    public const string PoolChannel = "mtl_pool_changed";

    /// <summary>The audit action of a memory an admin imported straight into the pool, skipping review.</summary>
    public const string ImportedApprovedAction = "memory.imported-approved";

    // Small enough for a remote model's per-request limits, large enough that 1,000 memories take a few calls.
    private const int EmbeddingChunk = 64;

    private const string StaleMessage = "Someone else changed this memory since you opened it. Reload to see its current state; nothing of yours was saved.";

    private readonly HashSet<Guid> _poolChanges = [];

    /// <summary>
    /// Saves what a contributor wrote: a new memory when <paramref name="memoryId"/> is null; otherwise the open
    /// draft, or a new revision when the newest one had changes requested or is approved. With
    /// <paramref name="submit"/> it goes to review.
    /// </summary>
    public async Task<WriteResult<Memory>> SaveAsync(Actor actor, Guid? memoryId, MemoryDraft draft, bool submit, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var content = draft.Content;
        var provenance = draft.Provenance.Normalized();
        var errors = content.Validate().Concat(provenance.Validate()).ToList();
        if (errors.Count > 0)
        {
            return WriteResult<Memory>.Fail(errors);
        }

        var analysis = await analyzer.AnalyzeAsync(content, cancellationToken);
        if (submit && await AbstractionGateAsync(content.Kind, analysis.Abstraction.Score, cancellationToken) is { } gate)
        {
            return WriteResult<Memory>.Fail("", gate);
        }

        return memoryId is null
            ? await CreateAsync(actor, content, provenance, draft.TeamId, analysis, submit, cancellationToken)
            : await EditAsync(actor, memoryId.Value, content, provenance, draft.TeamId, analysis, submit, expectedVersion, cancellationToken);
    }

    /// <summary>Sends the open draft to review.</summary>
    public async Task<WriteResult<Memory>> SubmitAsync(Actor actor, Guid memoryId, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var (memory, latest, failure) = await LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var permission = MemoryLifecycle.CanEditDraft(actor, Facts(memory!, latest!));
        if (!permission.Allowed)
        {
            return Refused(latest!, permission);
        }

        if (await AbstractionGateAsync(memory!.Kind, latest!.AbstractionScore, cancellationToken) is { } gate)
        {
            return WriteResult<Memory>.Fail("", gate);
        }

        Transition(actor, memory, latest, RevisionState.InReview, null);
        latest.SubmittedAt = clock.GetUtcNow();
        return await SaveChangesAsync(memory, cancellationToken);
    }

    /// <summary>Takes a revision back out of review before any reviewer approved it.</summary>
    public async Task<WriteResult<Memory>> WithdrawAsync(Actor actor, Guid memoryId, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var (memory, latest, failure) = await LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var anyDecision = latest!.Reviews.Any(r => r.Decision != ReviewDecision.Comment);
        var permission = MemoryLifecycle.CanWithdraw(actor, Facts(memory!, latest), anyDecision);
        if (!permission.Allowed)
        {
            return Refused(latest, permission);
        }

        Transition(actor, memory!, latest, RevisionState.Draft, "withdrawn by the author");
        latest.SubmittedAt = null;
        return await SaveChangesAsync(memory!, cancellationToken);
    }

    /// <summary>A reviewer's decision on the newest revision.</summary>
    public async Task<WriteResult<Memory>> ReviewAsync(Actor actor, Guid memoryId, ReviewDecision decision, string? comment, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var (memory, latest, failure) = await LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        // A revision the caller may not see (another team's new revision of an approved memory) is not there for them.
        if (latest!.Id != memory!.ApprovedRevisionId && !MemoryLifecycle.CanSeeUnapproved(actor, memory.TeamId, memory.AuthorId))
        {
            return WriteResult<Memory>.NotFound("That memory does not exist, or you cannot see it.");
        }

        comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (TextRules.Check("comment", comment) is { } unstorable)
        {
            return WriteResult<Memory>.Fail([unstorable]);
        }

        if (comment?.Length > 4000)
        {
            return WriteResult<Memory>.Fail("comment", "A comment has at most 4000 characters.");
        }

        var permission = MemoryLifecycle.CanReview(actor, Facts(memory!, latest!), decision, comment);
        if (!permission.Allowed)
        {
            return decision != ReviewDecision.Approve && comment is null && latest!.State == RevisionState.InReview && actor.ReviewsTeam(memory!.TeamId)
                ? WriteResult<Memory>.Fail("comment", permission.Reason!)
                : Refused(latest!, permission);
        }

        var settings = await settingsStore.GetAsync(db, cancellationToken);
        var now = clock.GetUtcNow();
        // Added through the DbSet: a new row reached only through a navigation, with its key already set, would be
        // taken for an existing one.
        var review = new MemoryReview
        {
            Id = Guid.CreateVersion7(), MemoryId = memory!.Id, RevisionId = latest!.Id, ReviewerId = actor.UserId,
            Decision = decision, Comment = comment, At = now,
        };
        db.MemoryReviews.Add(review);

        var approvals = latest.Reviews.Count(r => r.Decision == ReviewDecision.Approve);
        var next = MemoryLifecycle.After(decision, approvals, settings.RequiredApprovals);
        if (next == RevisionState.InReview)
        {
            audit.Record(db, actor.UserId, "memory.approval-recorded", "memory", memory.Id.ToString(),
                Details(latest.Number, RevisionState.InReview, RevisionState.InReview, $"{approvals} of {settings.RequiredApprovals} approvals"));
            Touch(memory);
        }
        else
        {
            Transition(actor, memory, latest, next, comment);
            latest.DecidedAt = now;
            if (next == RevisionState.Approved)
            {
                await ApproveAsync(actor, memory, latest, cancellationToken);
            }
        }

        return await SaveChangesAsync(memory, cancellationToken);
    }

    /// <summary>Rejects the newest revision as a duplicate of an existing memory, linking the two.</summary>
    public async Task<WriteResult<Memory>> MarkDuplicateAsync(Actor actor, Guid memoryId, Guid duplicateOfId, string? comment, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        if (duplicateOfId == memoryId || !await db.Memories.AnyAsync(m => m.Id == duplicateOfId, cancellationToken))
        {
            return WriteResult<Memory>.Fail("duplicateOf", "Choose the existing memory this one duplicates.");
        }

        var reason = string.IsNullOrWhiteSpace(comment) ? $"Duplicate of memory {duplicateOfId}." : comment;
        var result = await ReviewAsync(actor, memoryId, ReviewDecision.Reject, reason, expectedVersion, cancellationToken);
        if (result.Succeeded)
        {
            result.Value!.DuplicateOfId = duplicateOfId;
            audit.Record(db, actor.UserId, "memory.marked-duplicate", "memory", memoryId.ToString(), JsonSerializer.Serialize(new { duplicateOf = duplicateOfId }));
            await db.SaveChangesAsync(cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// Marks a memory in review as superseding an approved one (or clears the mark with null): when it is
    /// approved, the old one is archived.
    /// </summary>
    public async Task<WriteResult<Memory>> SetSupersedesAsync(Actor actor, Guid memoryId, Guid? supersedesId, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var (memory, latest, failure) = await LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        if (!actor.ReviewsTeam(memory!.TeamId) || actor.UserId == memory.AuthorId)
        {
            return WriteResult<Memory>.Forbidden("Only another reviewer of the memory's team (or an admin) can mark what it supersedes.");
        }

        if (supersedesId is { } oldId)
        {
            var old = await db.Memories.FirstOrDefaultAsync(m => m.Id == oldId, cancellationToken);
            if (old is null || oldId == memory.Id || old.ApprovedRevisionId is null || old.ArchivedAt is not null)
            {
                return WriteResult<Memory>.Fail("supersedes", "A memory can only supersede another approved memory that is still in the pool.");
            }

            if (!actor.ReviewsTeam(old.TeamId))
            {
                return WriteResult<Memory>.Forbidden("You do not review the team that owns the memory to be superseded.");
            }
        }

        memory.SupersedesId = supersedesId;
        Touch(memory);
        audit.Record(db, actor.UserId, "memory.supersedes-set", "memory", memory.Id.ToString(), JsonSerializer.Serialize(new { supersedes = supersedesId, revision = latest!.Number }));
        return await SaveChangesAsync(memory, cancellationToken);
    }

    /// <summary>Takes an approved memory out of the pool for good; it stays readable as history.</summary>
    public async Task<WriteResult<Memory>> ArchiveAsync(Actor actor, Guid memoryId, string? reason, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var (memory, latest, failure) = await LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var permission = MemoryLifecycle.CanArchive(actor, Facts(memory!, latest!));
        if (!permission.Allowed)
        {
            return memory!.ArchivedAt is not null ? WriteResult<Memory>.Conflict(permission.Reason!) : WriteResult<Memory>.Forbidden(permission.Reason!);
        }

        Archive(actor.UserId, memory!, string.IsNullOrWhiteSpace(reason) ? null : reason.Trim());
        return await SaveChangesAsync(memory!, cancellationToken);
    }

    /// <summary>
    /// Takes an approved memory out of the pool and back into review: its served revision is copied into a new
    /// revision in review (same author, so four eyes still holds) and the reason goes into the thread.
    /// </summary>
    public async Task<WriteResult<Memory>> SendBackToReviewAsync(Actor actor, Guid memoryId, string? reason, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (reason is null)
        {
            return WriteResult<Memory>.Fail("comment", "Say why in a comment: reviewers read it when they decide again.");
        }

        if (TextRules.Check("comment", reason) is { } unstorable)
        {
            return WriteResult<Memory>.Fail([unstorable]);
        }

        if (reason.Length > 3900)
        {
            return WriteResult<Memory>.Fail("comment", "A reason has at most 3900 characters.");
        }

        var (memory, served, failure) = await LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var permission = MemoryLifecycle.CanSendBack(actor, Facts(memory!, served!));
        if (!permission.Allowed)
        {
            return memory!.ArchivedAt is not null ? WriteResult<Memory>.Conflict(permission.Reason!) : Refused(served!, permission);
        }

        var now = clock.GetUtcNow();
        var copy = new MemoryRevision
        {
            Id = Guid.CreateVersion7(), MemoryId = memory!.Id, Number = served!.Number + 1, State = RevisionState.InReview, AuthorId = served.AuthorId,
            CreatedAt = now, SubmittedAt = now, Title = served.Title, ContentJson = served.ContentJson, SourceDomain = served.SourceDomain,
            SourceTaskRef = served.SourceTaskRef, SourceModel = served.SourceModel, Outcome = served.Outcome, Tags = [.. served.Tags],
            AbstractionScore = served.AbstractionScore, AbstractionFindings = served.AbstractionFindings, Embedding = served.Embedding, EmbeddingModel = served.EmbeddingModel,
        };
        served.State = RevisionState.Superseded;
        memory.Revisions.Add(copy);
        db.MemoryRevisions.Add(copy);
        memory.LatestRevisionId = copy.Id;
        memory.ApprovedRevisionId = null;
        memory.Status = MemoryStatus.InReview;
        _poolChanges.Add(memory.Id);
        Touch(memory);
        db.MemoryReviews.Add(new MemoryReview
        {
            Id = Guid.CreateVersion7(), MemoryId = memory.Id, RevisionId = copy.Id, ReviewerId = actor.UserId,
            Decision = ReviewDecision.Comment, Comment = "Sent back to review: " + reason, At = now,
        });
        audit.Record(db, actor.UserId, "memory.sent-back-to-review", "memory", memory.Id.ToString(), Details(copy.Number, RevisionState.Approved, RevisionState.InReview, reason));
        return await SaveChangesAsync(memory, cancellationToken);
    }

    /// <summary>A comment on the newest revision, in the memory's review thread.</summary>
    public async Task<WriteResult<MemoryReview>> CommentAsync(Actor actor, Guid memoryId, string comment, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(comment))
        {
            return WriteResult<MemoryReview>.Fail("comment", "Write a comment first.");
        }

        if (TextRules.Check("comment", comment) is { } unstorable)
        {
            return WriteResult<MemoryReview>.Fail([unstorable]);
        }

        if (comment.Length > 4000)
        {
            return WriteResult<MemoryReview>.Fail("comment", "A comment has at most 4000 characters.");
        }

        var (memory, latest, failure) = await LoadAsync(memoryId, actor, null, cancellationToken);
        if (failure is not null)
        {
            return failure.Cast<MemoryReview>();
        }

        var permission = MemoryLifecycle.CanComment(actor, Facts(memory!, latest!));
        if (!permission.Allowed)
        {
            return WriteResult<MemoryReview>.Forbidden(permission.Reason!);
        }

        var review = new MemoryReview
        {
            Id = Guid.CreateVersion7(), MemoryId = memory!.Id, RevisionId = latest!.Id, ReviewerId = actor.UserId,
            Decision = ReviewDecision.Comment, Comment = comment.Trim(), At = clock.GetUtcNow(),
        };
        db.MemoryReviews.Add(review);
        audit.Record(db, actor.UserId, "memory.commented", "memory", memory.Id.ToString(), JsonSerializer.Serialize(new { revision = latest.Number }));
        await db.SaveChangesAsync(cancellationToken);
        return WriteResult<MemoryReview>.Ok(review);
    }

    /// <summary>
    /// Checks new memories as <see cref="SaveAsync"/> checks one that is submitted (content, provenance, team, the
    /// abstraction gate), and writes nothing. With <paramref name="approve"/>: as an admin's import into the pool.
    /// </summary>
    public async Task<IReadOnlyList<BatchError>> CheckManyAsync(Actor actor, IReadOnlyList<MemoryDraft> drafts, bool approve, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default) =>
        (await CheckBatchAsync(actor, drafts, approve, progress, cancellationToken)).Errors;

    /// <summary>
    /// Creates many memories at once, as an import does. Every one is checked first, as <see cref="CheckManyAsync"/>
    /// does; if any fails, nothing is written. Then all are embedded, a chunk per call to the model, and written with
    /// their audit entries in one transaction: each in review (created, then submitted), or, with
    /// <paramref name="approve"/> (admins only, never a default), straight into the pool, audited as
    /// <see cref="ImportedApprovedAction"/> by the admin. One more entry records the batch as a whole.
    /// </summary>
    /// <param name="batchOrigin">What the batch came from, e.g. the file's name, for the audit trail.</param>
    public async Task<BatchResult> CreateManyAsync(Actor actor, IReadOnlyList<NewMemory> memories, bool approve, string batchOrigin, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var check = await CheckBatchAsync(actor, [.. memories.Select(m => m.Draft)], approve, progress, cancellationToken);
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

        var now = clock.GetUtcNow();
        var ids = new List<Guid>(memories.Count);
        var approvals = new List<(Memory, MemoryRevision)>();
        for (var i = 0; i < memories.Count; i++)
        {
            var (draft, origin) = memories[i];
            var analysis = new MemoryAnalysis(check.Reports[i], vectors[i], analyzer.EmbeddingModel);
            var (memory, revision) = AddMemory(actor, draft.Content, check.Provenances[i], check.Teams[i], analysis, now, $"imported from {origin}");
            revision.SubmittedAt = now;
            if (approve)
            {
                Transition(actor, memory, revision, RevisionState.Approved, $"imported as approved, without review, from {origin}", ImportedApprovedAction);
                revision.DecidedAt = now;
                approvals.Add((memory, revision));
            }
            else
            {
                Transition(actor, memory, revision, RevisionState.InReview, $"imported from {origin}");
            }

            ids.Add(memory.Id);
        }

        audit.Record(db, actor.UserId, approve ? "memories.imported-approved" : "memories.imported", "import", Guid.CreateVersion7().ToString(),
            JsonSerializer.Serialize(new { count = ids.Count, state = approve ? "Approved" : "InReview", from = batchOrigin }));
        progress?.Report(new BatchProgress(BatchStage.Saving, 0, memories.Count));
        // A new memory and its revision point at each other (ApprovedRevisionId, MemoryId): EF cannot insert both
        // in one statement order, so the approved revision is linked by a second save in the same transaction.
        var saved = await SaveChangesAsync<IReadOnlyList<Guid>>(ids, cancellationToken, approvals.Count == 0 ? null : async () =>
        {
            foreach (var (memory, revision) in approvals)
            {
                await ApproveAsync(actor, memory, revision, cancellationToken);
            }
        });
        if (!saved.Succeeded)
        {
            return new BatchResult([], [.. saved.Errors.Select(e => new BatchError(null, e.Field, e.Message))]);
        }

        progress?.Report(new BatchProgress(BatchStage.Saving, memories.Count, memories.Count));
        return new BatchResult(ids, []);
    }

    private async Task<BatchCheck> CheckBatchAsync(Actor actor, IReadOnlyList<MemoryDraft> drafts, bool approve, IProgress<BatchProgress>? progress, CancellationToken cancellationToken)
    {
        var refusal = CreateRefusal(actor) ?? (approve && !actor.IsAdmin
            ? "Only an admin can import memories as approved: they skip review."
            : null);
        if (refusal is not null)
        {
            return new BatchCheck([new BatchError(null, "", refusal)], [], [], []);
        }

        // Read once for the whole batch, which may check thousands of insights and name the same team throughout.
        var settings = await settingsStore.GetAsync(db, cancellationToken);
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
            var (team, teamError) = await ResolveTeamAsync(actor, draft.TeamId, knownTeams, cancellationToken);
            teams[i] = team;
            if (teamError is not null)
            {
                itemErrors.Add(teamError);
            }

            if (itemErrors.Count == 0)
            {
                reports[i] = await analyzer.LintAsync(draft.Content, cancellationToken);
                if (AbstractionGate(settings, draft.Content.Kind, reports[i].Score) is { } gate)
                {
                    itemErrors.Add(new FieldError("", gate));
                }
            }

            errors.AddRange(itemErrors.Select(e => new BatchError(i, e.Field, e.Message)));
            progress?.Report(new BatchProgress(BatchStage.Checking, i + 1, drafts.Count));
        }

        return new BatchCheck(errors, reports, provenances, teams);
    }

    private async Task<WriteResult<Memory>> CreateAsync(Actor actor, MemoryContent content, Provenance provenance, Guid? teamId, MemoryAnalysis analysis, bool submit, CancellationToken cancellationToken)
    {
        if (CreateRefusal(actor) is { } refusal)
        {
            return WriteResult<Memory>.Forbidden(refusal);
        }

        var (team, teamError) = await ResolveTeamAsync(actor, teamId, null, cancellationToken);
        if (teamError is not null)
        {
            return WriteResult<Memory>.Fail(teamError);
        }

        var now = clock.GetUtcNow();
        var (memory, revision) = AddMemory(actor, content, provenance, team, analysis, now, null);
        if (submit)
        {
            Transition(actor, memory, revision, RevisionState.InReview, null);
            revision.SubmittedAt = now;
        }

        return await SaveChangesAsync(memory, cancellationToken);
    }

    private static string? CreateRefusal(Actor actor) =>
        actor.IsContributor || actor.IsAdmin ? null : "Only contributors write memories.";

    /// <summary>The team a new memory goes to: the one asked for, or the author's only team; it must be theirs (admins: any).</summary>
    /// <param name="knownTeams">Which teams exist, as far as this batch has asked; null to ask each time.</param>
    private async Task<(Guid Team, FieldError? Error)> ResolveTeamAsync(Actor actor, Guid? teamId, Dictionary<Guid, bool>? knownTeams, CancellationToken cancellationToken)
    {
        var team = teamId ?? (actor.TeamIds.Count == 1 ? actor.TeamIds.Single() : null);
        if (team is null)
        {
            return (default, new FieldError("teamId", actor.TeamIds.Count == 0
                ? "You belong to no team yet; ask an admin to add you to one."
                : "Choose which of your teams owns this memory."));
        }

        if (!actor.InTeam(team.Value) && !(actor.IsAdmin && await TeamExistsAsync(team.Value, knownTeams, cancellationToken)))
        {
            return (default, new FieldError("teamId", "You can only write memories for your own teams."));
        }

        return (team.Value, null);
    }

    private async Task<bool> TeamExistsAsync(Guid teamId, Dictionary<Guid, bool>? knownTeams, CancellationToken cancellationToken)
    {
        if (knownTeams is null || !knownTeams.TryGetValue(teamId, out var exists))
        {
            exists = await db.Teams.AnyAsync(t => t.Id == teamId, cancellationToken);
            knownTeams?.Add(teamId, exists);
        }

        return exists;
    }

    /// <summary>A new memory with its first revision, as a draft, and its "memory.created" audit entry.</summary>
    private (Memory Memory, MemoryRevision Revision) AddMemory(Actor actor, MemoryContent content, Provenance provenance, Guid team, MemoryAnalysis analysis, DateTimeOffset now, string? reason)
    {
        var memory = new Memory
        {
            Id = Guid.CreateVersion7(), Kind = content.Kind, TeamId = team, AuthorId = actor.UserId,
            CreatedAt = now, UpdatedAt = now, Status = MemoryStatus.Draft,
        };
        var revision = NewRevision(memory, 1, actor, content, provenance, analysis, now);
        memory.Revisions.Add(revision);
        memory.LatestRevisionId = revision.Id;
        db.Memories.Add(memory);
        audit.Record(db, actor.UserId, "memory.created", "memory", memory.Id.ToString(), Details(1, null, RevisionState.Draft, reason));
        return (memory, revision);
    }

    private async Task<WriteResult<Memory>> EditAsync(Actor actor, Guid memoryId, MemoryContent content, Provenance provenance, Guid? teamId, MemoryAnalysis analysis, bool submit, int? expectedVersion, CancellationToken cancellationToken)
    {
        var (memory, latest, failure) = await LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        if (content.Kind != memory!.Kind)
        {
            return WriteResult<Memory>.Fail("kind", $"This memory is a{(memory.Kind == MemoryKind.Insight ? "n" : "")} {memory.Kind.ToString().ToLowerInvariant()}; its kind cannot change.");
        }

        var now = clock.GetUtcNow();
        MemoryRevision target;
        if (latest!.State == RevisionState.Draft)
        {
            var permission = MemoryLifecycle.CanEditDraft(actor, Facts(memory, latest));
            if (!permission.Allowed)
            {
                return Refused(latest, permission);
            }

            Apply(latest, content, provenance, analysis);
            if (teamId is { } newTeam && newTeam != memory.TeamId && latest.Number == 1)
            {
                if (!actor.InTeam(newTeam) && !actor.IsAdmin)
                {
                    return WriteResult<Memory>.Fail("teamId", "You can only write memories for your own teams.");
                }

                memory.TeamId = newTeam;
            }

            audit.Record(db, actor.UserId, "memory.draft-saved", "memory", memory.Id.ToString(), Details(latest.Number, RevisionState.Draft, RevisionState.Draft, null));
            Touch(memory);
            target = latest;
        }
        else
        {
            var permission = MemoryLifecycle.CanRevise(actor, Facts(memory, latest));
            if (!permission.Allowed)
            {
                return Refused(latest, permission);
            }

            target = NewRevision(memory, latest.Number + 1, actor, content, provenance, analysis, now);
            memory.Revisions.Add(target);
            db.MemoryRevisions.Add(target);
            memory.LatestRevisionId = target.Id;
            memory.Status = MemoryLifecycle.StatusOf(RevisionState.Draft, archived: false);
            Touch(memory);
            audit.Record(db, actor.UserId, "memory.revised", "memory", memory.Id.ToString(), Details(target.Number, null, RevisionState.Draft, $"revision {target.Number} after revision {latest.Number} ({latest.State})"));
        }

        if (submit)
        {
            Transition(actor, memory, target, RevisionState.InReview, null);
            target.SubmittedAt = now;
        }

        return await SaveChangesAsync(memory, cancellationToken);
    }

    private async Task ApproveAsync(Actor actor, Memory memory, MemoryRevision approved, CancellationToken cancellationToken)
    {
        if (memory.ApprovedRevisionId is { } previousId && previousId != approved.Id)
        {
            var previous = memory.Revisions.FirstOrDefault(r => r.Id == previousId)
                ?? await db.MemoryRevisions.FirstAsync(r => r.Id == previousId, cancellationToken);
            previous.State = RevisionState.Superseded;
        }

        memory.ApprovedRevisionId = approved.Id;
        _poolChanges.Add(memory.Id);

        if (memory.SupersedesId is { } oldId && await db.Memories.FirstOrDefaultAsync(m => m.Id == oldId, cancellationToken) is { ArchivedAt: null } old)
        {
            old.SupersededById = memory.Id;
            Archive(actor.UserId, old, $"superseded by memory {memory.Id}");
        }
    }

    private void Archive(string actorId, Memory memory, string? reason)
    {
        memory.ArchivedAt = clock.GetUtcNow();
        memory.Status = MemoryStatus.Archived;
        Touch(memory);
        _poolChanges.Add(memory.Id);
        audit.Record(db, actorId, "memory.archived", "memory", memory.Id.ToString(), JsonSerializer.Serialize(new { from = "Approved", to = "Archived", reason }));
    }

    private void Transition(Actor actor, Memory memory, MemoryRevision revision, RevisionState to, string? reason, string? action = null)
    {
        var from = revision.State;
        revision.State = to;
        if (revision.Id == memory.LatestRevisionId)
        {
            memory.Status = to == RevisionState.Rejected && memory.ApprovedRevisionId is not null
                ? MemoryStatus.Approved
                : MemoryLifecycle.StatusOf(to, memory.ArchivedAt is not null);
        }

        Touch(memory);
        action ??= to switch
        {
            RevisionState.InReview => "memory.submitted",
            RevisionState.Approved => "memory.approved",
            RevisionState.Rejected => "memory.rejected",
            RevisionState.ChangesRequested => "memory.changes-requested",
            RevisionState.Draft => "memory.withdrawn",
            _ => "memory.transition",
        };
        audit.Record(db, actor.UserId, action, "memory", memory.Id.ToString(), Details(revision.Number, from, to, reason));
    }

    private void Touch(Memory memory)
    {
        memory.UpdatedAt = clock.GetUtcNow();
        memory.Version++;
    }

    /// <param name="thenAsync">More changes that need the first ones saved; saved in the same transaction.</param>
    private async Task<WriteResult<T>> SaveChangesAsync<T>(T value, CancellationToken cancellationToken, Func<Task>? thenAsync = null)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            if (thenAsync is not null)
            {
                await thenAsync();
                await db.SaveChangesAsync(cancellationToken);
            }
        }
        catch (DbUpdateConcurrencyException)
        {
            return WriteResult<T>.Conflict(StaleMessage);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Two authors revising at once both took the next revision number.
            return WriteResult<T>.Conflict(StaleMessage);
        }

        if (_poolChanges.Count > 0)
        {
            // NOTIFY is transactional: other instances hear of the change only if it commits. One statement for
            // all, as an import may change a thousand memories.
            var ids = _poolChanges.Select(id => id.ToString()).ToArray();
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({PoolChannel}, id) FROM unnest({ids}) AS id", cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (_poolChanges.Count > 0)
        {
            Guid[] changed = [.. _poolChanges];
            _poolChanges.Clear();
            foreach (var observer in observers)
            {
                await observer.PoolChangedAsync(changed, cancellationToken);
            }
        }

        return WriteResult<T>.Ok(value);
    }

    private async Task<(Memory? Memory, MemoryRevision? Latest, WriteResult<Memory>? Failure)> LoadAsync(Guid memoryId, Actor actor, int? expectedVersion, CancellationToken cancellationToken)
    {
        var memory = await db.Memories.FirstOrDefaultAsync(m => m.Id == memoryId, cancellationToken);
        if (memory is null || (memory.ApprovedRevisionId is null && !MemoryLifecycle.CanSeeUnapproved(actor, memory.TeamId, memory.AuthorId)))
        {
            return (null, null, WriteResult<Memory>.NotFound("That memory does not exist, or you cannot see it."));
        }

        if (expectedVersion is { } expected && expected != memory.Version)
        {
            return (null, null, WriteResult<Memory>.Conflict(StaleMessage));
        }

        // Loading the revision while the memory is tracked also puts it in memory.Revisions (EF's fix-up).
        var latest = await db.MemoryRevisions.Include(r => r.Reviews).FirstAsync(r => r.Id == memory.LatestRevisionId, cancellationToken);
        return (memory, latest, null);
    }

    private static LifecycleFacts Facts(Memory memory, MemoryRevision revision) => new(
        memory.AuthorId, memory.TeamId, memory.ArchivedAt is not null, memory.ApprovedRevisionId is not null,
        revision.AuthorId, revision.State, revision.Id == memory.LatestRevisionId,
        [.. revision.Reviews.Where(r => r.Decision == ReviewDecision.Approve).Select(r => r.ReviewerId)]);

    /// <summary>A refusal that is a conflict when the revision moved on (someone else acted), otherwise forbidden.</summary>
    private static WriteResult<Memory> Refused(MemoryRevision revision, Permission permission) =>
        permission.Reason!.Contains("reload", StringComparison.OrdinalIgnoreCase) || permission.Reason.Contains("frozen", StringComparison.Ordinal)
            ? WriteResult<Memory>.Conflict(permission.Reason)
            : revision.State == RevisionState.InReview || revision.State == RevisionState.Draft || revision.State == RevisionState.Approved || revision.State == RevisionState.ChangesRequested
                ? WriteResult<Memory>.Forbidden(permission.Reason)
                : WriteResult<Memory>.Conflict(permission.Reason);

    private async Task<string?> AbstractionGateAsync(MemoryKind kind, double score, CancellationToken cancellationToken)
    {
        if (kind != MemoryKind.Insight)
        {
            return null;
        }

        return AbstractionGate(await settingsStore.GetAsync(db, cancellationToken), kind, score);
    }

    private static string? AbstractionGate(ReviewSettings settings, MemoryKind kind, double score) =>
        kind == MemoryKind.Insight && settings.BlockLowAbstractionInsights && score < settings.MinInsightAbstraction
            ? $"This insight's abstraction score is {score:0.00}, below the {settings.MinInsightAbstraction:0.00} an insight needs to be submitted. Fix the highlighted findings and try again."
            : null;

    private static MemoryRevision NewRevision(Memory memory, int number, Actor actor, MemoryContent content, Provenance provenance, MemoryAnalysis analysis, DateTimeOffset now)
    {
        var revision = new MemoryRevision { Id = Guid.CreateVersion7(), MemoryId = memory.Id, Number = number, State = RevisionState.Draft, AuthorId = actor.UserId, CreatedAt = now };
        Apply(revision, content, provenance, analysis);
        return revision;
    }

    private static void Apply(MemoryRevision revision, MemoryContent content, Provenance provenance, MemoryAnalysis analysis)
    {
        revision.Title = content.DisplayTitle.Length <= 200 ? content.DisplayTitle : content.DisplayTitle[..200];
        revision.ContentJson = content.ToJson();
        revision.SourceDomain = provenance.SourceDomain;
        revision.SourceTaskRef = provenance.SourceTaskRef;
        revision.SourceModel = provenance.SourceModel;
        revision.Outcome = provenance.Outcome;
        revision.Tags = [.. provenance.Tags];
        revision.AbstractionScore = analysis.Abstraction.Score;
        revision.AbstractionFindings = analysis.Abstraction.Findings.Count;
        revision.Embedding = analysis.Embedding;
        revision.EmbeddingModel = analysis.EmbeddingModel;
    }

    private static string Details(int revision, RevisionState? from, RevisionState to, string? reason) =>
        JsonSerializer.Serialize(new { revision, from = from?.ToString(), to = to.ToString(), reason });

    private sealed record BatchCheck(IReadOnlyList<BatchError> Errors, IReadOnlyList<AbstractionReport> Reports, IReadOnlyList<Provenance> Provenances, IReadOnlyList<Guid> Teams);
}
