using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Memories;
using MtlPortal.Settings;
using MtlPortal.Validation;

namespace MtlPortal.Reviews;

/// <summary>
/// What reviewers do to a memory in review: decide (approve, reject, request changes), mark it a duplicate or as
/// superseding another, and comment. Four eyes and the number of approvals come from <see cref="MemoryLifecycle"/>
/// and the review settings; each write goes through <see cref="MemoryWriter"/>.
/// </summary>
public sealed class ReviewDecisions(MemoryWriter writer, ReviewSettingsStore settingsStore)
{
    private const int MaxCommentLength = 4000;

    /// <summary>
    /// A reviewer's decision on the newest revision of one memory. Approving counts towards the approvals the
    /// settings require; the last one puts the revision in the pool. Rejecting and requesting changes need a comment.
    /// </summary>
    /// <param name="expectedVersion">The memory's version the reviewer saw; another version is a conflict. Null: any.</param>
    public async Task<WriteResult<Memory>> DecideAsync(Actor actor, Guid memoryId, ReviewDecision decision, string? comment, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        await using var change = await writer.BeginAsync(cancellationToken);
        return await DecideAsync(change, actor, memoryId, decision, comment, expectedVersion, cancellationToken);
    }

    /// <summary>Rejects the newest revision as a duplicate of an existing memory, linking the two.</summary>
    public async Task<WriteResult<Memory>> MarkDuplicateAsync(Actor actor, Guid memoryId, Guid duplicateOfId, string? comment, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        await using var change = await writer.BeginAsync(cancellationToken);
        if (duplicateOfId == memoryId || !await change.Db.Memories.AnyAsync(m => m.Id == duplicateOfId, cancellationToken))
        {
            return WriteResult<Memory>.Fail("duplicateOf", "Choose the existing memory this one duplicates.");
        }

        var reason = string.IsNullOrWhiteSpace(comment) ? $"Duplicate of memory {duplicateOfId}." : comment;
        var result = await DecideAsync(change, actor, memoryId, ReviewDecision.Reject, reason, expectedVersion, cancellationToken);
        if (result.Succeeded)
        {
            result.Value!.DuplicateOfId = duplicateOfId;
            change.Record(actor.UserId, "memory.marked-duplicate", memoryId, JsonSerializer.Serialize(new { duplicateOf = duplicateOfId }));
            await change.Db.SaveChangesAsync(cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// Marks a memory in review as superseding an approved one (or clears the mark with null): when it is
    /// approved, the old one is archived.
    /// </summary>
    public async Task<WriteResult<Memory>> SetSupersedesAsync(Actor actor, Guid memoryId, Guid? supersedesId, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        await using var change = await writer.BeginAsync(cancellationToken);
        var (memory, latest, failure) = await change.LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
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
            var old = await change.Db.Memories.FirstOrDefaultAsync(m => m.Id == oldId, cancellationToken);
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
        change.Touch(memory);
        change.Record(actor.UserId, "memory.supersedes-set", memory.Id, JsonSerializer.Serialize(new { supersedes = supersedesId, revision = latest!.Number }));
        return await change.SaveAsync(memory, cancellationToken);
    }

    /// <summary>
    /// Takes an approved memory out of the pool and back into review (say, runs show it hurts): its served revision
    /// is copied into a new revision in review (same author, so four eyes still holds) and the reason goes into the
    /// thread.
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

        if (reason.Length > MaxCommentLength - 100)
        {
            return WriteResult<Memory>.Fail("comment", $"A reason has at most {MaxCommentLength - 100} characters.");
        }

        await using var change = await writer.BeginAsync(cancellationToken);
        var (memory, served, failure) = await change.LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var permission = MemoryLifecycle.CanSendBack(actor, LifecycleFacts.Of(memory!, served!));
        if (!permission.Allowed)
        {
            return permission.Refuse<Memory>();
        }

        var now = change.Now;
        var copy = new MemoryRevision
        {
            Id = Guid.CreateVersion7(), MemoryId = memory!.Id, Number = served!.Number + 1, State = RevisionState.InReview, AuthorId = served.AuthorId,
            CreatedAt = now, SubmittedAt = now, Title = served.Title, ContentJson = served.ContentJson, SourceDomain = served.SourceDomain,
            SourceTaskRef = served.SourceTaskRef, SourceModel = served.SourceModel, Outcome = served.Outcome, Tags = [.. served.Tags],
            AbstractionScore = served.AbstractionScore, AbstractionFindings = served.AbstractionFindings, Embedding = served.Embedding, EmbeddingModel = served.EmbeddingModel,
        };
        served.State = RevisionState.Superseded;
        memory.Revisions.Add(copy);
        change.Db.MemoryRevisions.Add(copy);
        memory.LatestRevisionId = copy.Id;
        memory.ApprovedRevisionId = null;
        memory.Status = MemoryStatus.InReview;
        change.PoolChanged(memory.Id);
        change.Touch(memory);
        change.Db.MemoryReviews.Add(new MemoryReview
        {
            Id = Guid.CreateVersion7(), MemoryId = memory.Id, RevisionId = copy.Id, ReviewerId = actor.UserId,
            Decision = ReviewDecision.Comment, Comment = "Sent back to review: " + reason, At = now,
        });
        change.Record(actor.UserId, "memory.sent-back-to-review", memory.Id, MemoryChange.Details(copy.Number, RevisionState.Approved, RevisionState.InReview, reason));
        return await change.SaveAsync(memory, cancellationToken);
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

        if (comment.Length > MaxCommentLength)
        {
            return WriteResult<MemoryReview>.Fail("comment", "A comment has at most 4000 characters.");
        }

        await using var change = await writer.BeginAsync(cancellationToken);
        var (memory, latest, failure) = await change.LoadAsync(memoryId, actor, null, cancellationToken);
        if (failure is not null)
        {
            return failure.Cast<MemoryReview>();
        }

        var permission = MemoryLifecycle.CanComment(actor, LifecycleFacts.Of(memory!, latest!));
        if (!permission.Allowed)
        {
            return permission.Refuse<MemoryReview>();
        }

        var review = new MemoryReview
        {
            Id = Guid.CreateVersion7(), MemoryId = memory!.Id, RevisionId = latest!.Id, ReviewerId = actor.UserId,
            Decision = ReviewDecision.Comment, Comment = comment.Trim(), At = change.Now,
        };
        change.Db.MemoryReviews.Add(review);
        change.Record(actor.UserId, "memory.commented", memory.Id, JsonSerializer.Serialize(new { revision = latest.Number }));
        await change.Db.SaveChangesAsync(cancellationToken);
        return WriteResult<MemoryReview>.Ok(review);
    }

    private async Task<WriteResult<Memory>> DecideAsync(MemoryChange change, Actor actor, Guid memoryId, ReviewDecision decision, string? comment, int? expectedVersion, CancellationToken cancellationToken)
    {
        var (memory, latest, failure) = await change.LoadAsync(memoryId, actor, expectedVersion, cancellationToken);
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

        if (comment?.Length > MaxCommentLength)
        {
            return WriteResult<Memory>.Fail("comment", "A comment has at most 4000 characters.");
        }

        var permission = MemoryLifecycle.CanReview(actor, LifecycleFacts.Of(memory, latest), decision, comment);
        if (!permission.Allowed)
        {
            return permission.Refusal == WriteFailure.Invalid && comment is null
                ? WriteResult<Memory>.Fail("comment", permission.Reason!)
                : permission.Refuse<Memory>();
        }

        var settings = await settingsStore.GetAsync(cancellationToken);
        var now = change.Now;
        // Added through the DbSet: a new row reached only through a navigation, with its key already set, would be
        // taken for an existing one.
        var review = new MemoryReview
        {
            Id = Guid.CreateVersion7(), MemoryId = memory.Id, RevisionId = latest.Id, ReviewerId = actor.UserId,
            Decision = decision, Comment = comment, At = now,
        };
        change.Db.MemoryReviews.Add(review);

        var approvals = latest.Reviews.Count(r => r.Decision == ReviewDecision.Approve);
        var next = MemoryLifecycle.After(decision, approvals, settings.RequiredApprovals);
        if (next == RevisionState.InReview)
        {
            change.Record(actor.UserId, "memory.approval-recorded", memory.Id,
                MemoryChange.Details(latest.Number, RevisionState.InReview, RevisionState.InReview, $"{approvals} of {settings.RequiredApprovals} approvals"));
            change.Touch(memory);
        }
        else
        {
            change.Transition(actor, memory, latest, next, comment);
            latest.DecidedAt = now;
            if (next == RevisionState.Approved)
            {
                await change.ApproveAsync(actor, memory, latest, cancellationToken);
            }
        }

        return await change.SaveAsync(memory, cancellationToken);
    }
}
