using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Auditing;
using MtlPortal.Persistence;
using MtlPortal.Settings;
using MtlPortal.Validation;

namespace MtlPortal.Memories;

/// <summary>What a contributor writes: the content, where it came from, and (on creation) the owning team.</summary>
public sealed record MemoryDraft(MemoryContent Content, Provenance Provenance, Guid? TeamId = null);

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

        comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
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

    /// <summary>A comment on the newest revision, in the memory's review thread.</summary>
    public async Task<WriteResult<MemoryReview>> CommentAsync(Actor actor, Guid memoryId, string comment, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(comment))
        {
            return WriteResult<MemoryReview>.Fail("comment", "Write a comment first.");
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

    private async Task<WriteResult<Memory>> CreateAsync(Actor actor, MemoryContent content, Provenance provenance, Guid? teamId, MemoryAnalysis analysis, bool submit, CancellationToken cancellationToken)
    {
        if (!actor.IsContributor && !actor.IsAdmin)
        {
            return WriteResult<Memory>.Forbidden("Only contributors write memories.");
        }

        var team = teamId ?? (actor.TeamIds.Count == 1 ? actor.TeamIds.Single() : null);
        if (team is null)
        {
            return WriteResult<Memory>.Fail("teamId", actor.TeamIds.Count == 0
                ? "You belong to no team yet; ask an admin to add you to one."
                : "Choose which of your teams owns this memory.");
        }

        if (!actor.InTeam(team.Value) && !(actor.IsAdmin && await db.Teams.AnyAsync(t => t.Id == team, cancellationToken)))
        {
            return WriteResult<Memory>.Fail("teamId", "You can only write memories for your own teams.");
        }

        var now = clock.GetUtcNow();
        var memory = new Memory
        {
            Id = Guid.CreateVersion7(), Kind = content.Kind, TeamId = team.Value, AuthorId = actor.UserId,
            CreatedAt = now, UpdatedAt = now, Status = MemoryStatus.Draft,
        };
        var revision = NewRevision(memory, 1, actor, content, provenance, analysis, now);
        memory.Revisions.Add(revision);
        memory.LatestRevisionId = revision.Id;
        db.Memories.Add(memory);
        audit.Record(db, actor.UserId, "memory.created", "memory", memory.Id.ToString(), Details(1, null, RevisionState.Draft, null));
        if (submit)
        {
            Transition(actor, memory, revision, RevisionState.InReview, null);
            revision.SubmittedAt = now;
        }

        return await SaveChangesAsync(memory, cancellationToken);
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

    private void Transition(Actor actor, Memory memory, MemoryRevision revision, RevisionState to, string? reason)
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
        var action = to switch
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

    private async Task<WriteResult<Memory>> SaveChangesAsync(Memory memory, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return WriteResult<Memory>.Conflict(StaleMessage);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Two authors revising at once both took the next revision number.
            return WriteResult<Memory>.Conflict(StaleMessage);
        }

        foreach (var id in _poolChanges)
        {
            // NOTIFY is transactional: other instances hear of the change only if it commits.
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({PoolChannel}, {id.ToString()})", cancellationToken);
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

        return WriteResult<Memory>.Ok(memory);
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

        var settings = await settingsStore.GetAsync(db, cancellationToken);
        return settings.BlockLowAbstractionInsights && score < settings.MinInsightAbstraction
            ? $"This insight's abstraction score is {score:0.00}, below the {settings.MinInsightAbstraction:0.00} an insight needs to be submitted. Fix the highlighted findings and try again."
            : null;
    }

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
}
