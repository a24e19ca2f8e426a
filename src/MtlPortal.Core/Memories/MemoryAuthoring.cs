using Microsoft.EntityFrameworkCore;
using MtlPortal.Persistence;
using MtlPortal.Settings;
using MtlPortal.Validation;

namespace MtlPortal.Memories;

/// <summary>What a contributor writes: the content, where it came from, and (on creation) the owning team.</summary>
public sealed record MemoryDraft(MemoryContent Content, Provenance Provenance, Guid? TeamId = null);

/// <summary>
/// Writing memories: creating, revising, submitting to review, withdrawing, archiving. Each method checks
/// <see cref="MemoryLifecycle"/> and writes through <see cref="MemoryWriter"/>, so two people acting on the same
/// memory at once: the second gets a conflict and nothing of theirs is written.
/// </summary>
public sealed class MemoryAuthoring(MemoryWriter writer, MemoryAnalyzer analyzer, ReviewSettingsStore settingsStore)
{
    /// <summary>
    /// Puts a new memory into review in the team <see cref="MemoryDraft.TeamId"/> (or the actor's only team), with
    /// its provenance: checked as a contributor's submission is (content, provenance, team, the abstraction gate),
    /// created and submitted in one transaction. It is never served before a reviewer approves it.
    /// </summary>
    public Task<WriteResult<Memory>> SubmitNewAsync(Actor actor, MemoryDraft draft, CancellationToken cancellationToken = default) =>
        SaveAsync(actor, null, draft, submit: true, cancellationToken: cancellationToken);

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
        await using var change = await writer.BeginAsync(cancellationToken);
        if (submit && await AbstractionGateAsync(content.Kind, analysis.Abstraction.Score, cancellationToken) is { } gate)
        {
            return WriteResult<Memory>.Fail("", gate);
        }

        return memoryId is null
            ? await CreateAsync(change, actor, content, provenance, draft.TeamId, analysis, submit, cancellationToken)
            : await EditAsync(change, actor, memoryId.Value, content, provenance, draft.TeamId, analysis, submit, expectedVersion, cancellationToken);
    }

    /// <summary>Sends the open draft to review.</summary>
    public async Task<WriteResult<Memory>> SubmitAsync(Actor actor, Guid memoryId, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        await using var change = await writer.BeginAsync(cancellationToken);
        var (memory, latest, failure) = await change.LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var permission = MemoryLifecycle.CanEditDraft(actor, LifecycleFacts.Of(memory!, latest!));
        if (!permission.Allowed)
        {
            return permission.Refuse<Memory>();
        }

        if (await AbstractionGateAsync(memory!.Kind, latest!.AbstractionScore, cancellationToken) is { } gate)
        {
            return WriteResult<Memory>.Fail("", gate);
        }

        change.Transition(actor, memory, latest, RevisionState.InReview, null);
        latest.SubmittedAt = change.Now;
        return await change.SaveAsync(memory, cancellationToken);
    }

    /// <summary>Takes a revision back out of review before any reviewer approved it.</summary>
    public async Task<WriteResult<Memory>> WithdrawAsync(Actor actor, Guid memoryId, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        await using var change = await writer.BeginAsync(cancellationToken);
        var (memory, latest, failure) = await change.LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var anyDecision = latest!.Reviews.Any(r => r.Decision != ReviewDecision.Comment);
        var permission = MemoryLifecycle.CanWithdraw(actor, LifecycleFacts.Of(memory!, latest), anyDecision);
        if (!permission.Allowed)
        {
            return permission.Refuse<Memory>();
        }

        change.Transition(actor, memory!, latest, RevisionState.Draft, "withdrawn by the author");
        latest.SubmittedAt = null;
        return await change.SaveAsync(memory!, cancellationToken);
    }

    /// <summary>Takes an approved memory out of the pool for good; it stays readable as history.</summary>
    public async Task<WriteResult<Memory>> ArchiveAsync(Actor actor, Guid memoryId, string? reason, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        await using var change = await writer.BeginAsync(cancellationToken);
        var (memory, latest, failure) = await change.LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var permission = MemoryLifecycle.CanArchive(actor, LifecycleFacts.Of(memory!, latest!));
        if (!permission.Allowed)
        {
            return permission.Refuse<Memory>();
        }

        change.Archive(actor.UserId, memory!, string.IsNullOrWhiteSpace(reason) ? null : reason.Trim());
        return await change.SaveAsync(memory!, cancellationToken);
    }

    /// <summary>Why the actor may not create memories at all; null when they may.</summary>
    internal static string? CreateRefusal(Actor actor) =>
        actor.IsContributor || actor.IsAdmin ? null : "Only contributors write memories.";

    /// <summary>The team a new memory goes to: the one asked for, or the author's only team; it must be theirs (admins: any).</summary>
    /// <param name="knownTeams">Which teams exist, as far as this batch has asked; null to ask each time.</param>
    internal static async Task<(Guid Team, FieldError? Error)> ResolveTeamAsync(PortalDbContext db, Actor actor, Guid? teamId, Dictionary<Guid, bool>? knownTeams, CancellationToken cancellationToken)
    {
        var team = teamId ?? (actor.TeamIds.Count == 1 ? actor.TeamIds.Single() : null);
        if (team is null)
        {
            return (default, new FieldError("teamId", actor.TeamIds.Count == 0
                ? "You belong to no team yet; ask an admin to add you to one."
                : "Choose which of your teams owns this memory."));
        }

        if (!actor.InTeam(team.Value) && !(actor.IsAdmin && await TeamExistsAsync(db, team.Value, knownTeams, cancellationToken)))
        {
            return (default, new FieldError("teamId", "You can only write memories for your own teams."));
        }

        return (team.Value, null);
    }

    /// <summary>Why an insight with this abstraction score may not be submitted under these settings; null when it may.</summary>
    internal static string? AbstractionGate(ReviewSettings settings, MemoryKind kind, double score) =>
        kind == MemoryKind.Insight && settings.BlockLowAbstractionInsights && score < settings.MinInsightAbstraction
            ? $"This insight's abstraction score is {score:0.00}, below the {settings.MinInsightAbstraction:0.00} an insight needs to be submitted. Fix the highlighted findings and try again."
            : null;

    private static async Task<bool> TeamExistsAsync(PortalDbContext db, Guid teamId, Dictionary<Guid, bool>? knownTeams, CancellationToken cancellationToken)
    {
        if (knownTeams is null || !knownTeams.TryGetValue(teamId, out var exists))
        {
            exists = await db.Teams.AnyAsync(t => t.Id == teamId, cancellationToken);
            knownTeams?.Add(teamId, exists);
        }

        return exists;
    }

    private async Task<string?> AbstractionGateAsync(MemoryKind kind, double score, CancellationToken cancellationToken)
    {
        if (kind != MemoryKind.Insight)
        {
            return null;
        }

        return AbstractionGate(await settingsStore.GetAsync(cancellationToken), kind, score);
    }

    private static async Task<WriteResult<Memory>> CreateAsync(MemoryChange change, Actor actor, MemoryContent content, Provenance provenance, Guid? teamId, MemoryAnalysis analysis, bool submit, CancellationToken cancellationToken)
    {
        if (CreateRefusal(actor) is { } refusal)
        {
            return WriteResult<Memory>.Forbidden(refusal);
        }

        var (team, teamError) = await ResolveTeamAsync(change.Db, actor, teamId, null, cancellationToken);
        if (teamError is not null)
        {
            return WriteResult<Memory>.Fail(teamError);
        }

        var now = change.Now;
        var (memory, revision) = change.AddMemory(actor, content, provenance, team, analysis, now, null);
        if (submit)
        {
            change.Transition(actor, memory, revision, RevisionState.InReview, null);
            revision.SubmittedAt = now;
        }

        return await change.SaveAsync(memory, cancellationToken);
    }

    private static async Task<WriteResult<Memory>> EditAsync(MemoryChange change, Actor actor, Guid memoryId, MemoryContent content, Provenance provenance, Guid? teamId, MemoryAnalysis analysis, bool submit, int? expectedVersion, CancellationToken cancellationToken)
    {
        var (memory, latest, failure) = await change.LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        if (content.Kind != memory!.Kind)
        {
            return WriteResult<Memory>.Fail("kind", $"This memory is a{(memory.Kind == MemoryKind.Insight ? "n" : "")} {memory.Kind.ToString().ToLowerInvariant()}; its kind cannot change.");
        }

        var now = change.Now;
        MemoryRevision target;
        if (latest!.State == RevisionState.Draft)
        {
            var permission = MemoryLifecycle.CanEditDraft(actor, LifecycleFacts.Of(memory, latest));
            if (!permission.Allowed)
            {
                return permission.Refuse<Memory>();
            }

            MemoryChange.Apply(latest, content, provenance, analysis);
            if (teamId is { } newTeam && newTeam != memory.TeamId && latest.Number == 1)
            {
                if (!actor.InTeam(newTeam) && !actor.IsAdmin)
                {
                    return WriteResult<Memory>.Fail("teamId", "You can only write memories for your own teams.");
                }

                memory.TeamId = newTeam;
            }

            change.Record(actor.UserId, "memory.draft-saved", memory.Id, MemoryChange.Details(latest.Number, RevisionState.Draft, RevisionState.Draft, null));
            change.Touch(memory);
            target = latest;
        }
        else
        {
            var permission = MemoryLifecycle.CanRevise(actor, LifecycleFacts.Of(memory, latest));
            if (!permission.Allowed)
            {
                return permission.Refuse<Memory>();
            }

            target = MemoryChange.NewRevision(memory, latest.Number + 1, actor, content, provenance, analysis, now);
            memory.Revisions.Add(target);
            change.Db.MemoryRevisions.Add(target);
            memory.LatestRevisionId = target.Id;
            memory.Status = MemoryLifecycle.StatusOf(RevisionState.Draft, archived: false);
            change.Touch(memory);
            change.Record(actor.UserId, "memory.revised", memory.Id, MemoryChange.Details(target.Number, null, RevisionState.Draft, $"revision {target.Number} after revision {latest.Number} ({latest.State})"));
        }

        if (submit)
        {
            change.Transition(actor, memory, target, RevisionState.InReview, null);
            target.SubmittedAt = now;
        }

        return await change.SaveAsync(memory, cancellationToken);
    }
}
