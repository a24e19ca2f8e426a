using MtlPortal.Memories;

namespace MtlPortal.Agents;

/// <summary>
/// One search an agent made: who, when, a hash of what it asked (never the text), and what it got back, so that
/// the outcome it later reports can be attributed to the memories it was shown.
/// </summary>
public sealed class RetrievalRecord
{
    public Guid Id { get; set; }

    public Guid? ApiKeyId { get; set; }

    public string UserId { get; set; } = "";

    public DateTimeOffset At { get; set; }

    /// <summary>Hex SHA-256 of the query text.</summary>
    public string QueryHash { get; set; } = "";

    public int K { get; set; }

    /// <summary>The filters applied, as JSON.</summary>
    public string Filters { get; set; } = "{}";

    public string EmbeddingModel { get; set; } = "";

    public List<RetrievalHit> Hits { get; set; } = [];
}

/// <summary>One memory a search returned, at its rank, with the revision that was served.</summary>
public sealed class RetrievalHit
{
    public Guid RetrievalId { get; set; }

    public int Rank { get; set; }

    public Guid MemoryId { get; set; }

    public Guid RevisionId { get; set; }

    public float Score { get; set; }
}

/// <summary>How the task went after a search: reported by the agent, with the memories it says it used.</summary>
public sealed class Feedback
{
    public Guid Id { get; set; }

    public Guid RetrievalId { get; set; }

    public RetrievalRecord? Retrieval { get; set; }

    public Guid? ApiKeyId { get; set; }

    public string UserId { get; set; } = "";

    public SourceOutcome Outcome { get; set; }

    /// <summary>The memories the agent says it used; a subset of what the search returned.</summary>
    public List<Guid> MemoryIds { get; set; } = [];

    public string? Note { get; set; }

    public DateTimeOffset At { get; set; }
}
