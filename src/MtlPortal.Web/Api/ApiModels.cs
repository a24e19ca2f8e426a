using MtlPortal.Memories;
using MtlPortal.Retrieval;

namespace MtlPortal.Web.Api;

/// <summary>The body of <c>POST /api/v1/memories/search</c>.</summary>
/// <remarks>Only <c>query</c> is required; the defaults keep the optional fields out of the document's <c>required</c>.</remarks>
public sealed record SearchBody(
    string Query,
    int? K = null,
    IReadOnlyList<string>? Kinds = null,
    IReadOnlyList<string>? ExcludeDomains = null,
    IReadOnlyList<string>? Teams = null,
    IReadOnlyList<string>? SourceModels = null,
    double? MinAbstraction = null,
    string? QueryMode = null);

/// <summary>An approved memory as the API serves it: its served revision, in the memory JSONL shape's vocabulary.</summary>
public record ApiMemory(
    Guid Id,
    int Revision,
    string Kind,
    string Title,
    MemoryContent Content,
    string Text,
    string SourceDomain,
    string? SourceTaskRef,
    string SourceModel,
    string Outcome,
    IReadOnlyList<string> Tags,
    string Team,
    DateTimeOffset ApprovedAt,
    double AbstractionScore)
{
    public static ApiMemory From(ServedMemory m) => new(
        m.MemoryId, m.Revision, Lower(m.Content.Kind), m.Content.DisplayTitle, m.Content, m.Content.ToPlainText(),
        m.Provenance.SourceDomain, m.Provenance.SourceTaskRef, m.Provenance.SourceModel, Lower(m.Provenance.Outcome), m.Provenance.Tags,
        m.Team, m.ApprovedAt, Math.Round(m.AbstractionScore, 3));

    protected static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();
}

/// <summary>One search result: the memory with its rank and cosine similarity.</summary>
public sealed record ApiSearchHit(int Rank, double Score, ApiMemory Memory);

/// <param name="Plan">For <c>queryMode: "plan"</c>: the plan the portal's LLM wrote and the search embedded.</param>
public sealed record SearchResponse(Guid RetrievalId, IReadOnlyList<ApiSearchHit> Memories, string PromptBlock, string? Plan = null);

public sealed record MemoryPage(IReadOnlyList<ApiMemory> Items, string? NextCursor);

/// <summary>A submitted memory: where it stands now.</summary>
public sealed record SubmittedMemory(Guid Id, string Status, int Revision, double AbstractionScore, int AbstractionFindings);

public sealed record ReviewBody(string Decision, string? Comment = null, int? ExpectedVersion = null);

public sealed record ReviewedMemory(Guid Id, string Status, int Version);

public sealed record QueueItem(Guid Id, string Kind, string Title, string Team, string Author, string SourceDomain, string SourceModel, double AbstractionScore, DateTimeOffset? SubmittedAt, int Revision, int Version);

public sealed record FeedbackBody(Guid RetrievalId, string Outcome, IReadOnlyList<Guid>? MemoryIds = null, string? Note = null);

public sealed record RecordedFeedback(Guid Id, Guid RetrievalId, string Outcome, IReadOnlyList<Guid> MemoryIds);
