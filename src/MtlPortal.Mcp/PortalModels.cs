using System.ComponentModel;

namespace MtlPortal.Mcp;

// The parts of the portal's API (src/MtlPortal.Web/Api/ApiModels.cs) this server sends and reads. They are
// copied rather than referenced: the server runs on an agent's machine and needs nothing of the portal but HTTP.

/// <summary>The body of <c>POST /api/v1/memories/search</c>.</summary>
public sealed record SearchBody(
    string Query,
    int K,
    IReadOnlyList<string>? Kinds,
    IReadOnlyList<string>? ExcludeDomains,
    IReadOnlyList<string>? Teams,
    IReadOnlyList<string>? SourceModels,
    double? MinAbstraction,
    string? QueryMode = null);

/// <summary>The answer of a search: the id to report the outcome against, the ranked hits, the prompt block, and the plan of a plan query.</summary>
public sealed record SearchResponse(Guid RetrievalId, IReadOnlyList<SearchHit> Memories, string PromptBlock, string? Plan = null);

/// <summary>One ranked hit and its cosine similarity to the query.</summary>
public sealed record SearchHit(int Rank, double Score, ServedMemory Memory);

/// <summary>What this server shows of a served memory in a search result (the full memory is <c>get_memory</c>'s).</summary>
public sealed record ServedMemory(Guid Id, string Kind, string Title, string SourceDomain);

/// <summary>One line of the memory JSONL format (docs/memory-jsonl.md); null properties are left out.</summary>
public sealed record MemoryRecord(
    string Kind,
    string? Title,
    string? Description,
    string? Content,
    string? TaskSummary,
    string? OutcomeAnalysis,
    string? Goal,
    IReadOnlyList<object>? Steps,
    string SourceDomain,
    string? SourceTaskRef,
    string SourceModel,
    string? Outcome,
    IReadOnlyList<string>? Tags,
    string? Team);

/// <summary>One step of a trajectory: what the agent did and what it saw.</summary>
public sealed record TrajectoryStep(
    [property: Description("What the agent did, e.g. a command it ran.")] string Action,
    [property: Description("What that produced (optional).")] string? Observation = null);

/// <summary>A submitted memory: where it stands now (in review, normally).</summary>
public sealed record SubmittedMemory(Guid Id, string Status, int Revision, double AbstractionScore, int AbstractionFindings);

/// <summary>The body of <c>POST /api/v1/feedback</c>.</summary>
public sealed record FeedbackBody(Guid RetrievalId, string Outcome, IReadOnlyList<Guid>? MemoryIds, string? Note);

/// <summary>The recorded outcome.</summary>
public sealed record RecordedFeedback(Guid Id, Guid RetrievalId, string Outcome, IReadOnlyList<Guid> MemoryIds);
