using MtlPortal.Validation;

namespace MtlPortal.Memories;

/// <summary>
/// The answer to "may this actor do this now?": allowed, or the reason why not, worded for the actor, and the
/// kind of refusal, which callers map to a status (the API) or a severity (the pages) without reading the words.
/// </summary>
public readonly record struct Permission(bool Allowed, string? Reason, WriteFailure Refusal = WriteFailure.None)
{
    public static readonly Permission Yes = new(true, null);

    /// <summary>The actor may not do this, whatever state the memory is in.</summary>
    public static Permission No(string reason) => new(false, reason, WriteFailure.Forbidden);

    /// <summary>The memory's current state does not allow it (someone else acted, or it moved on).</summary>
    public static Permission Conflict(string reason) => new(false, reason, WriteFailure.Conflict);

    /// <summary>What was asked is incomplete or malformed.</summary>
    public static Permission Invalid(string reason) => new(false, reason, WriteFailure.Invalid);

    /// <summary>This refusal as the result of a write.</summary>
    public WriteResult<T> Refuse<T>() => Allowed
        ? throw new InvalidOperationException("An allowed action is not a refusal.")
        : Refusal == WriteFailure.Invalid ? WriteResult<T>.Fail("", Reason!) : new(default, [new FieldError("", Reason!)], Refusal);
}

/// <summary>What the lifecycle needs to know about a memory and one of its revisions.</summary>
/// <param name="MemoryAuthorId">Who created the memory.</param>
/// <param name="TeamId">The team that owns it.</param>
/// <param name="IsArchived">Archived memories are history: nothing changes any more.</param>
/// <param name="HasApprovedRevision">Whether the pool serves a revision of it.</param>
/// <param name="RevisionAuthorId">Who wrote the revision in question.</param>
/// <param name="State">The revision's state.</param>
/// <param name="IsLatest">Whether it is the memory's newest revision.</param>
/// <param name="ApprovedBy">Reviewers who approved this revision so far.</param>
public sealed record LifecycleFacts(
    string MemoryAuthorId,
    Guid TeamId,
    bool IsArchived,
    bool HasApprovedRevision,
    string RevisionAuthorId,
    RevisionState State,
    bool IsLatest,
    IReadOnlyCollection<string> ApprovedBy)
{
    /// <summary>The facts of <paramref name="revision"/> (its reviews loaded) of <paramref name="memory"/>.</summary>
    public static LifecycleFacts Of(Memory memory, MemoryRevision revision) => new(
        memory.AuthorId, memory.TeamId, memory.ArchivedAt is not null, memory.ApprovedRevisionId is not null,
        revision.AuthorId, revision.State, revision.Id == memory.LatestRevisionId,
        [.. revision.Reviews.Where(r => r.Decision == ReviewDecision.Approve).Select(r => r.ReviewerId)]);
}

/// <summary>
/// The memory lifecycle as rules, with no storage: draft → in review → approved, or changes requested (back to
/// the author, who answers with a new revision), or rejected; approved → archived. Editing an approved memory
/// starts a new revision while the approved one keeps serving. Four eyes: nobody reviews their own memory.
/// </summary>
public static class MemoryLifecycle
{
    /// <summary>Editing or submitting a draft: only its author, and only while it is a draft.</summary>
    public static Permission CanEditDraft(Actor actor, LifecycleFacts facts) =>
        facts.IsArchived ? Archived
        : facts.State != RevisionState.Draft ? Permission.Conflict("Only a draft can be changed; submitted revisions are frozen.")
        : actor.UserId != facts.RevisionAuthorId ? Permission.No("Only the author of a draft can change or submit it.")
        : Permission.Yes;

    /// <summary>Taking a revision back out of review (to draft) before any reviewer decided on it.</summary>
    public static Permission CanWithdraw(Actor actor, LifecycleFacts facts, bool anyDecision) =>
        facts.IsArchived ? Archived
        : facts.State != RevisionState.InReview ? Permission.Conflict("Only a revision in review can be withdrawn.")
        : actor.UserId != facts.RevisionAuthorId ? Permission.No("Only the author can withdraw a revision.")
        : anyDecision ? Permission.No("A reviewer has already approved it; ask for changes in a comment instead.")
        : Permission.Yes;

    /// <summary>Approving, rejecting or requesting changes.</summary>
    public static Permission CanReview(Actor actor, LifecycleFacts facts, ReviewDecision decision, string? comment)
    {
        if (facts.IsArchived)
        {
            return Archived;
        }

        if (facts.State != RevisionState.InReview)
        {
            return Permission.Conflict($"This revision is {Describe(facts.State)}, not in review; reload to see its current state.");
        }

        if (!actor.ReviewsTeam(facts.TeamId))
        {
            return Permission.No("Only reviewers of the memory's team (or admins) can review it.");
        }

        if (actor.UserId == facts.MemoryAuthorId || actor.UserId == facts.RevisionAuthorId)
        {
            return Permission.No("Four eyes: nobody reviews their own memory.");
        }

        return decision switch
        {
            ReviewDecision.Approve when facts.ApprovedBy.Contains(actor.UserId) => Permission.No("You have already approved this revision."),
            ReviewDecision.Approve => Permission.Yes,
            ReviewDecision.RequestChanges or ReviewDecision.Reject when MissingComment(decision, comment) is { } missing => Permission.Invalid(missing),
            ReviewDecision.RequestChanges or ReviewDecision.Reject => Permission.Yes,
            _ => Permission.Invalid("That is not a review decision."),
        };
    }

    /// <summary>
    /// Why <paramref name="decision"/> needs a comment that <paramref name="comment"/> does not give: rejecting and
    /// requesting changes must say why. Null when the comment is enough. Forms check it before anything is sent.
    /// </summary>
    public static string? MissingComment(ReviewDecision decision, string? comment) =>
        decision is ReviewDecision.RequestChanges or ReviewDecision.Reject && string.IsNullOrWhiteSpace(comment)
            ? decision == ReviewDecision.Reject
                ? "Say why in a comment: a comment is required to reject."
                : "Say what to change in a comment: a comment is required to request changes."
            : null;

    /// <summary>
    /// Starting a new revision: the author answers requested changes; the author or a contributor of the team
    /// edits an approved memory (the approved revision keeps serving meanwhile). Rejected memories stay rejected.
    /// </summary>
    public static Permission CanRevise(Actor actor, LifecycleFacts latest)
    {
        if (latest.IsArchived)
        {
            return Archived;
        }

        if (!latest.IsLatest)
        {
            return Permission.Conflict("Only the newest revision can be revised.");
        }

        return latest.State switch
        {
            RevisionState.ChangesRequested when actor.UserId == latest.MemoryAuthorId || actor.UserId == latest.RevisionAuthorId => Permission.Yes,
            RevisionState.ChangesRequested => Permission.No("Only the author answers a request for changes."),
            RevisionState.Approved when actor.UserId == latest.MemoryAuthorId || actor.IsAdmin || (actor.IsContributor && actor.InTeam(latest.TeamId)) => Permission.Yes,
            RevisionState.Approved => Permission.No("Only the author, the team's contributors or an admin can edit an approved memory."),
            RevisionState.Draft or RevisionState.InReview => Permission.Conflict("A newer revision is already open; change that one."),
            _ => Permission.Conflict("A rejected memory cannot be revised; write a new one."),
        };
    }

    /// <summary>Archiving takes an approved memory out of the pool for good, keeping it for history.</summary>
    public static Permission CanArchive(Actor actor, LifecycleFacts facts) =>
        facts.IsArchived ? Archived
        : !facts.HasApprovedRevision ? Permission.No("Only an approved memory can be archived.")
        : !actor.ReviewsTeam(facts.TeamId) && actor.UserId != facts.MemoryAuthorId ? Permission.No("Only the author, the team's reviewers or an admin can archive a memory.")
        : Permission.Yes;

    /// <summary>
    /// Sending an approved memory back to review (say, runs show it hurts): it leaves the pool and its served
    /// revision is reviewed again. The team's reviewers or admins, the author included (taking one's own memory out
    /// is always safe); only while no newer revision is open, since that one is reviewed anyway.
    /// </summary>
    public static Permission CanSendBack(Actor actor, LifecycleFacts latest) =>
        latest.IsArchived ? Archived
        : !latest.HasApprovedRevision ? Permission.Conflict("Only an approved memory can be sent back to review.")
        : latest.State != RevisionState.Approved ? Permission.Conflict("A newer revision of this memory is already open; reload to see it, and decide on that one.")
        : !actor.ReviewsTeam(latest.TeamId) ? Permission.No("Only reviewers of the memory's team (or admins) can send it back to review.")
        : Permission.Yes;

    /// <summary>Comments: the author, the team's members and reviewers, and admins.</summary>
    public static Permission CanComment(Actor actor, LifecycleFacts facts) =>
        actor.IsAdmin || actor.InTeam(facts.TeamId) || actor.UserId == facts.MemoryAuthorId
            ? Permission.Yes
            : Permission.No("Only the memory's team can comment on it.");

    /// <summary>Whether someone may read a memory that is not (or not only) in the approved pool.</summary>
    public static bool CanSeeUnapproved(Actor actor, Guid teamId, string memoryAuthorId) =>
        actor.IsAdmin || actor.InTeam(teamId) || actor.UserId == memoryAuthorId;

    /// <summary>The state a revision reaches after <paramref name="decision"/>, given the approvals it then has.</summary>
    public static RevisionState After(ReviewDecision decision, int approvals, int requiredApprovals) => decision switch
    {
        ReviewDecision.Approve => approvals >= Math.Max(1, requiredApprovals) ? RevisionState.Approved : RevisionState.InReview,
        ReviewDecision.RequestChanges => RevisionState.ChangesRequested,
        ReviewDecision.Reject => RevisionState.Rejected,
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, "Only decisions change a revision's state."),
    };

    /// <summary>The memory's status given its newest revision.</summary>
    public static MemoryStatus StatusOf(RevisionState latest, bool archived) =>
        archived ? MemoryStatus.Archived : latest switch
        {
            RevisionState.Draft => MemoryStatus.Draft,
            RevisionState.InReview => MemoryStatus.InReview,
            RevisionState.ChangesRequested => MemoryStatus.ChangesRequested,
            RevisionState.Approved or RevisionState.Superseded => MemoryStatus.Approved,
            _ => MemoryStatus.Rejected,
        };

    public static string Describe(RevisionState state) => state switch
    {
        RevisionState.Draft => "a draft",
        RevisionState.InReview => "in review",
        RevisionState.ChangesRequested => "back with its author for changes",
        RevisionState.Approved => "approved",
        RevisionState.Rejected => "rejected",
        RevisionState.Superseded => "replaced by a newer approved revision",
        _ => state.ToString(),
    };

    private static Permission Archived => Permission.Conflict("This memory is archived; it no longer changes.");
}
