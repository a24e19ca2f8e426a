using MtlPortal.Memories;
using MtlPortal.Retrieval;

namespace MtlPortal.UnitTests.Retrieval;

public class ApprovedPoolIndexFilterTests
{
    private const int Dimensions = 48;
    private static readonly MemoryKind[] AllKinds = Enum.GetValues<MemoryKind>();

    private static readonly Dictionary<string, RetrievalFilter> Filters = new()
    {
        ["default (insights)"] = new RetrievalFilter(),
        ["kinds"] = new RetrievalFilter { Kinds = [MemoryKind.Workflow, MemoryKind.Summary] },
        ["exclude domains, other case"] = new RetrievalFilter { Kinds = AllKinds, ExcludeDomains = ["ALPHA", "beta"] },
        ["teams"] = new RetrievalFilter { Kinds = AllKinds, Teams = [PoolData.Teams[1]] },
        ["source models, other case"] = new RetrievalFilter { Kinds = AllKinds, SourceModels = ["GPT-4O", "Qwen-Coder"] },
        ["min abstraction, inclusive"] = new RetrievalFilter { Kinds = AllKinds, MinAbstraction = 0.6 },
        ["all combined"] = new RetrievalFilter
        {
            Kinds = [MemoryKind.Insight, MemoryKind.Summary],
            ExcludeDomains = ["Gamma"],
            Teams = [PoolData.Teams[0], PoolData.Teams[2]],
            SourceModels = ["claude-sonnet", "gpt-4o"],
            MinAbstraction = 0.3,
        },
        ["no teams"] = new RetrievalFilter { Kinds = AllKinds, Teams = [] },
        ["no kinds"] = new RetrievalFilter { Kinds = [] },
        ["unknown team"] = new RetrievalFilter { Kinds = AllKinds, Teams = [Guid.NewGuid()] },
        ["unknown excluded domain"] = new RetrievalFilter { Kinds = AllKinds, ExcludeDomains = ["nowhere"] },
    };

    public static TheoryData<string> FilterNames => [.. Filters.Keys];

    [Theory]
    [MemberData(nameof(FilterNames))]
    public void Search_Filter_ReturnsExactlyTheEligibleMemoriesBestFirst(string filterName)
    {
        RetrievalFilter filter = Filters[filterName];
        var random = new Random(filterName.Length);
        var pool = PoolData.WithRandomAttributes(random, PoolData.Clustered(random, 1200, Dimensions, 12, 0.3f));
        var index = PoolData.IndexOf(pool, Dimensions);
        float[] query = PoolData.Gaussian(random, Dimensions);

        var all = index.Search(query, pool.Count, filter);
        var topThree = index.Search(query, 3, filter);

        Assert.Equal(pool.Where(memory => ExactReference.IsEligible(memory, filter)).Select(memory => memory.MemoryId).Order(), all.Select(hit => hit.MemoryId).Order());
        ExactReference.AssertSameHits(ExactReference.Search(pool, query, pool.Count, filter), all);
        ExactReference.AssertSameHits(ExactReference.Search(pool, query, 3, filter), topThree);
    }

    [Fact]
    public void Search_QueryEqualToExcludedDomainsMemories_NeverReturnsThemAndStillReturnsK()
    {
        var random = new Random(11);
        float[] task = PoolData.Gaussian(random, Dimensions);
        var ownDomain = Enumerable.Range(0, 20).Select(_ => Memory(task, "SWE-Bench")).ToList();
        var otherDomains = PoolData.Uniform(random, 50, Dimensions).Select(e => Memory(e, "ReplicationBench")).ToList();
        var index = PoolData.IndexOf([.. ownDomain, .. otherDomains], Dimensions);

        var hits = index.Search(task, 5, new RetrievalFilter { ExcludeDomains = ["swe-bench"] });

        Assert.Equal(5, hits.Count);
        Assert.DoesNotContain(hits, hit => ownDomain.Any(memory => memory.MemoryId == hit.MemoryId));
    }

    [Fact]
    public void Search_MostSimilarMemoriesIneligible_ReturnsTopKAmongEligible()
    {
        var random = new Random(12);
        float[] task = PoolData.Gaussian(random, Dimensions);
        var workflows = Enumerable.Range(0, 100).Select(_ => Memory(task, "d", MemoryKind.Workflow)).ToList();
        var insights = PoolData.Uniform(random, 40, Dimensions).Select(e => Memory(e, "d")).ToList();
        var index = PoolData.IndexOf([.. workflows, .. insights], Dimensions);

        var hits = index.Search(task, 3, new RetrievalFilter());

        ExactReference.AssertSameHits(ExactReference.Search(insights, task, 3, new RetrievalFilter()), hits);
    }

    private static IndexedMemory Memory(float[] embedding, string domain, MemoryKind kind = MemoryKind.Insight) =>
        new(Guid.NewGuid(), kind, domain, PoolData.Teams[0], "gpt-4o", 0.9, embedding);
}
