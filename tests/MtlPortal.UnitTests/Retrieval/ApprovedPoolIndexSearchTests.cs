using MtlPortal.Memories;
using MtlPortal.Retrieval;

namespace MtlPortal.UnitTests.Retrieval;

public class ApprovedPoolIndexSearchTests
{
    private static readonly RetrievalFilter InsightsOnly = new();

    [Theory]
    [InlineData(1, 8, 1)]
    [InlineData(7, 3, 10)]
    [InlineData(200, 16, 1)]
    [InlineData(500, 33, 3)]
    [InlineData(1000, 64, 10)]
    [InlineData(2000, 384, 3)]
    [InlineData(1500, 100, 10)]
    public void Search_RandomData_EqualsExactReference(int count, int dimensions, int k)
    {
        var random = new Random(count * 31 + dimensions);
        var pool = PoolData.Insights(random, PoolData.Uniform(random, count, dimensions));
        var index = PoolData.IndexOf(pool, dimensions);

        for (int q = 0; q < 10; q++)
        {
            float[] query = PoolData.Gaussian(random, dimensions);
            ExactReference.AssertSameHits(ExactReference.Search(pool, query, k, InsightsOnly), index.Search(query, k, InsightsOnly));
        }
    }

    [Theory]
    [InlineData(2000, 128, 3, 20, 0.05f)]
    [InlineData(2000, 384, 10, 40, 0.3f)]
    [InlineData(3000, 64, 1, 5, 0.01f)]
    [InlineData(300, 1536, 3, 8, 0.2f)]
    public void Search_ClusteredData_EqualsExactReference(int count, int dimensions, int k, int clusters, float spread)
    {
        var random = new Random(count + dimensions + clusters);
        var embeddings = PoolData.Clustered(random, count, dimensions, clusters, spread);
        var pool = PoolData.Insights(random, embeddings);
        var index = PoolData.IndexOf(pool, dimensions);

        for (int q = 0; q < 10; q++)
        {
            // Queries near the data, as a task embedding near its domain's memories would be.
            float[] query = PoolData.Near(random, embeddings[random.Next(count)], spread);
            ExactReference.AssertSameHits(ExactReference.Search(pool, query, k, InsightsOnly), index.Search(query, k, InsightsOnly));
        }
    }

    [Fact]
    public void Search_PoolLargeEnoughToScanOnTwoCores_EqualsExactReference()
    {
        // 20,000 rows × 448 dimensions is ~9 MB of codes: above the size at which the scan is split across cores.
        const int Dimensions = 448;
        var random = new Random(7);
        var embeddings = PoolData.ClusteredCheaply(random, 20_000, Dimensions, 200, 0.7f);
        var pool = PoolData.WithRandomAttributes(random, embeddings);
        var index = PoolData.IndexOf(pool, Dimensions, maxDegreeOfParallelism: 2);
        var filter = new RetrievalFilter { Kinds = [MemoryKind.Insight, MemoryKind.Summary], ExcludeDomains = ["gamma"] };

        for (int q = 0; q < 3; q++)
        {
            float[] query = embeddings[random.Next(embeddings.Count)];
            ExactReference.AssertSameHits(ExactReference.Search(pool, query, 10, filter), index.Search(query, 10, filter));
        }
    }

    [Fact]
    public void Search_EqualScores_BreaksTiesByMemoryIdAscending()
    {
        var random = new Random(3);
        float[] shared = PoolData.Gaussian(random, 32);
        var ids = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToList();
        var index = new ApprovedPoolIndex(32);
        foreach (Guid id in ids)
        {
            index.Upsert(PoolData.Insight(shared, id));
        }

        foreach (var other in PoolData.Uniform(random, 50, 32))
        {
            index.Upsert(PoolData.Insight(other));
        }

        var hits = index.Search(shared, 5, InsightsOnly);

        Assert.Equal(ids.Order().Take(5), hits.Select(hit => hit.MemoryId));
        Assert.All(hits, hit => Assert.Equal(hits[0].Score, hit.Score));
    }

    [Fact]
    public void Search_UnnormalisedVectors_ScoresAreCosines()
    {
        var same = Guid.NewGuid();
        var orthogonal = Guid.NewGuid();
        var opposite = Guid.NewGuid();
        var index = new ApprovedPoolIndex(2);
        index.Upsert(PoolData.Insight([3f, 4f], same));
        index.Upsert(PoolData.Insight([-4f, 3f], orthogonal));
        index.Upsert(PoolData.Insight([-0.3f, -0.4f], opposite));

        var hits = index.Search([6f, 8f], 3, InsightsOnly);

        Assert.Equal([same, orthogonal, opposite], hits.Select(hit => hit.MemoryId));
        Assert.Equal(1f, hits[0].Score, 1e-6f);
        Assert.Equal(0f, hits[1].Score, 1e-6f);
        Assert.Equal(-1f, hits[2].Score, 1e-6f);
    }

    [Fact]
    public void Search_ZeroQuery_ReturnsNoHits()
    {
        var index = PoolData.IndexOf(PoolData.Insights(new Random(1), PoolData.Uniform(new Random(1), 10, 16)), 16);

        Assert.Empty(index.Search(new float[16], 3, InsightsOnly));
    }

    [Fact]
    public void Search_KLargerThanPool_ReturnsEveryEligibleMemoryBestFirst()
    {
        var random = new Random(5);
        var pool = PoolData.Insights(random, PoolData.Uniform(random, 9, 24));
        var index = PoolData.IndexOf(pool, 24);
        float[] query = PoolData.Gaussian(random, 24);

        var hits = index.Search(query, 100, InsightsOnly);

        Assert.Equal(9, hits.Count);
        ExactReference.AssertSameHits(ExactReference.Search(pool, query, 100, InsightsOnly), hits);
    }

    [Fact]
    public void Search_EmptyIndex_ReturnsNoHits() =>
        Assert.Empty(new ApprovedPoolIndex(8).Search(new float[] { 1, 0, 0, 0, 0, 0, 0, 0 }, 3, InsightsOnly));

    [Fact]
    public void Search_QueryFromAnotherModel_ThrowsArgumentExceptionNamingBothDimensions()
    {
        var index = new ApprovedPoolIndex(384);

        var error = Assert.Throws<ArgumentException>(() => index.Search(new float[1536], 3, InsightsOnly));

        Assert.Contains("1536", error.Message);
        Assert.Contains("384", error.Message);
        Assert.Contains("different models", error.Message);
    }

    [Fact]
    public void Search_NonFiniteQuery_ThrowsArgumentException()
    {
        var index = new ApprovedPoolIndex(2);
        index.Upsert(PoolData.Insight([1f, 0f]));

        Assert.Throws<ArgumentException>(() => index.Search([float.NaN, 1f], 1, InsightsOnly));
    }

    [Fact]
    public void Search_NonPositiveK_ThrowsArgumentOutOfRange() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApprovedPoolIndex(2).Search([1f, 0f], 0, InsightsOnly));
}
