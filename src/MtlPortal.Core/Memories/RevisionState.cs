namespace MtlPortal.Memories;

/// <summary>Where one revision of a memory stands in review.</summary>
public enum RevisionState
{
    /// <summary>Being written; only its author sees it, and it may still change.</summary>
    Draft = 0,

    /// <summary>Submitted; frozen; waiting for reviewers.</summary>
    InReview = 1,

    /// <summary>A reviewer asked for changes; the author answers with a new revision.</summary>
    ChangesRequested = 2,

    /// <summary>Approved: this is the revision the pool serves (until a newer one is approved or the memory is archived).</summary>
    Approved = 3,

    /// <summary>Turned down (or marked a duplicate); kept for history.</summary>
    Rejected = 4,

    /// <summary>Was approved; a newer revision of the same memory replaced it.</summary>
    Superseded = 5,
}

/// <summary>Where a memory as a whole stands: the state of its newest revision, unless it was archived.</summary>
public enum MemoryStatus
{
    Draft = 0,
    InReview = 1,
    ChangesRequested = 2,
    Approved = 3,
    Rejected = 4,
    Archived = 5,
}

/// <summary>What a reviewer (or the author, for a comment) says about a revision.</summary>
public enum ReviewDecision
{
    Comment = 0,
    Approve = 1,
    RequestChanges = 2,
    Reject = 3,
}
