using MtlPortal.Teams;
using MtlPortal.Users;

namespace MtlPortal.Memories;

/// <summary>
/// A memory: a stable identity that owns an ordered list of immutable revisions. The pool serves the approved
/// revision (if any) while a newer one may be in review.
/// </summary>
public sealed class Memory
{
    public Guid Id { get; set; }

    public MemoryKind Kind { get; set; }

    public Guid TeamId { get; set; }

    public Team? Team { get; set; }

    /// <summary>Who created the memory (the author of its first revision).</summary>
    public string AuthorId { get; set; } = "";

    public PortalUser? Author { get; set; }

    /// <summary>The state of the newest revision, or Archived; kept here so lists filter without joins.</summary>
    public MemoryStatus Status { get; set; }

    /// <summary>The revision the pool serves; null until the first approval, and after archiving.</summary>
    public Guid? ApprovedRevisionId { get; set; }

    public MemoryRevision? ApprovedRevision { get; set; }

    public Guid LatestRevisionId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? ArchivedAt { get; set; }

    /// <summary>Set when a reviewer rejected this memory as a duplicate of another.</summary>
    public Guid? DuplicateOfId { get; set; }

    /// <summary>Set when a reviewer marked this memory as replacing another: that one is archived when this one is approved.</summary>
    public Guid? SupersedesId { get; set; }

    /// <summary>Set on the old memory when the one that supersedes it is approved.</summary>
    public Guid? SupersededById { get; set; }

    /// <summary>Bumped by every change; two reviewers acting at once cannot both win.</summary>
    public int Version { get; set; }

    public List<MemoryRevision> Revisions { get; set; } = [];
}

/// <summary>
/// One immutable version of a memory's content and provenance. Only a draft may still change; once
/// submitted, a revision changes only its review state.
/// </summary>
public sealed class MemoryRevision
{
    public Guid Id { get; set; }

    public Guid MemoryId { get; set; }

    public Memory? Memory { get; set; }

    /// <summary>1 for the first revision, then 2, 3, ...</summary>
    public int Number { get; set; }

    public RevisionState State { get; set; }

    public string AuthorId { get; set; } = "";

    public PortalUser? Author { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SubmittedAt { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public string Title { get; set; } = "";

    /// <summary>The <see cref="MemoryContent"/> as JSON (jsonb).</summary>
    public string ContentJson { get; set; } = "{}";

    public string SourceDomain { get; set; } = "";

    public string? SourceTaskRef { get; set; }

    public string SourceModel { get; set; } = "";

    public SourceOutcome Outcome { get; set; }

    public List<string> Tags { get; set; } = [];

    /// <summary>The abstraction linter's score when the revision was last saved (1 = fully abstract).</summary>
    public double AbstractionScore { get; set; }

    public int AbstractionFindings { get; set; }

    /// <summary>The L2-normalised embedding of <see cref="MemoryContent.TextForEmbedding"/>.</summary>
    public float[]? Embedding { get; set; }

    /// <summary>The id of the model that made <see cref="Embedding"/>; a re-embed job updates stale ones.</summary>
    public string? EmbeddingModel { get; set; }

    public List<MemoryReview> Reviews { get; set; } = [];

    public MemoryContent Content => MemoryContent.FromJson(ContentJson);

    public Provenance Provenance => new(SourceDomain, SourceTaskRef, SourceModel, Outcome, Tags);
}

/// <summary>A review decision or a comment on one revision.</summary>
public sealed class MemoryReview
{
    public Guid Id { get; set; }

    public Guid MemoryId { get; set; }

    public Guid RevisionId { get; set; }

    public MemoryRevision? Revision { get; set; }

    public string ReviewerId { get; set; } = "";

    public PortalUser? Reviewer { get; set; }

    public ReviewDecision Decision { get; set; }

    public string? Comment { get; set; }

    public DateTimeOffset At { get; set; }
}
