using MtlPortal.Memories;

namespace MtlPortal.Dashboards;

/// <summary>One memory on the 2-D projection of its kind's embeddings.</summary>
public sealed record ScatterPoint(Guid MemoryId, string Title, string Domain, double X, double Y);

/// <summary>
/// How domain-mixed one kind of memory is (the paper's Figures 4–5): the Davies–Bouldin index of its embeddings
/// labelled by source domain (lower: domains form separate clusters) and the mean LISI of its memories'
/// neighbourhoods (higher: neighbours come from many domains, the mark of transferable memories).
/// </summary>
/// <param name="Perplexity">30 as in the reference implementation, or less for a kind too small to give 3 × 30 neighbours.</param>
/// <param name="Scatter">The first two principal components, at most <see cref="PoolHealthService.MaxScatterPoints"/> memories.</param>
public sealed record KindHealth(
    MemoryKind Kind,
    int Count,
    int Domains,
    double? DaviesBouldin,
    double? MeanLisi,
    double? MedianLisi,
    double Perplexity,
    IReadOnlyList<ScatterPoint> Scatter);

/// <summary>A name and how many memories carry it.</summary>
public sealed record NamedCount(string Name, int Count);

/// <summary>
/// One memory's own domain mixing: the LISI of its neighbourhood in the pool of its kind, and the weighted share of
/// those neighbours that come from its own domain. A memory whose neighbours all share its domain is domain-bound,
/// whatever its wording.
/// </summary>
public sealed record MemoryMixing(double Lisi, double OwnDomainShare, int Neighbours, int DomainsInKind);

/// <summary>The approved pool's health, computed from the in-memory index and cached (see <see cref="PoolHealthService"/>).</summary>
/// <param name="ComputedAt">When these figures were computed; the pool may have changed since (<see cref="PoolHealthService.IsStale"/>).</param>
/// <param name="NearDuplicatePairs">Pairs of memories of one kind at or above <paramref name="DuplicateThreshold"/> cosine similarity.</param>
/// <param name="NearDuplicateShare">The share of memories that have at least one near-duplicate.</param>
/// <param name="Abstraction">Abstraction scores in ten bins of 0.1 (the last one includes 1.0).</param>
/// <param name="SinceApproval">Memories by time since their served revision was approved.</param>
/// <param name="SinceRetrieval">Memories by time since a search (agent or run) last returned them.</param>
/// <param name="FewInsights">Domains of the pool or of a benchmark with fewer than <see cref="PoolHealthService.FewInsightsBelow"/> insights, fewest first.</param>
public sealed record PoolHealthReport(
    DateTimeOffset ComputedAt,
    int Memories,
    string EmbeddingModel,
    IReadOnlyList<KindHealth> Kinds,
    IReadOnlyList<NamedCount> ByKind,
    IReadOnlyList<NamedCount> ByDomain,
    IReadOnlyList<NamedCount> ByTeam,
    IReadOnlyList<NamedCount> BySourceModel,
    double DuplicateThreshold,
    int NearDuplicatePairs,
    double NearDuplicateShare,
    IReadOnlyList<NamedCount> Abstraction,
    IReadOnlyList<NamedCount> SinceApproval,
    IReadOnlyList<NamedCount> SinceRetrieval,
    IReadOnlyList<NamedCount> FewInsights,
    IReadOnlyDictionary<Guid, MemoryMixing> Mixing);
