using MtlPortal.Memories;
using MtlPortal.Retrieval;

namespace MtlPortal.UnitTests.Retrieval;

public class ApprovedPoolIndexWriteTests
{
    private const int Dimensions = 32;
    private static readonly RetrievalFilter AnyKind = new() { Kinds = Enum.GetValues<MemoryKind>() };

    [Fact]
    public void Upsert_ExistingId_ReplacesEmbeddingAndAttributes()
    {
        var random = new Random(1);
        float[] before = PoolData.Gaussian(random, Dimensions);
        float[] after = PoolData.Gaussian(random, Dimensions);
        var id = Guid.NewGuid();
        var index = PoolData.IndexOf(PoolData.Insights(random, PoolData.Uniform(random, 20, Dimensions)), Dimensions);
        index.Upsert(PoolData.Insight(before, id));

        index.Upsert(new IndexedMemory(id, MemoryKind.Summary, "beta", PoolData.Teams[1], "claude-sonnet", 0.5, after));

        Assert.Equal(21, index.Count);
        Assert.DoesNotContain(index.Search(before, 21, new RetrievalFilter()), hit => hit.MemoryId == id);
        var hit = Assert.Single(index.Search(after, 1, new RetrievalFilter { Kinds = [MemoryKind.Summary], Teams = [PoolData.Teams[1]] }));
        Assert.Equal(id, hit.MemoryId);
        Assert.Equal(1f, hit.Score, 1e-6f);
    }

    [Fact]
    public void Remove_ExistingId_ReturnsTrueAndMemoryIsNoLongerFound()
    {
        var random = new Random(2);
        var pool = PoolData.Insights(random, PoolData.Uniform(random, 30, Dimensions));
        var index = PoolData.IndexOf(pool, Dimensions);

        Assert.True(index.Remove(pool[4].MemoryId));

        Assert.Equal(29, index.Count);
        Assert.DoesNotContain(index.Search(pool[4].Embedding.Span, 30, new RetrievalFilter()), hit => hit.MemoryId == pool[4].MemoryId);
        Assert.False(index.Remove(pool[4].MemoryId));
    }

    [Fact]
    public void Remove_UnknownId_ReturnsFalseAndKeepsPool()
    {
        var index = PoolData.IndexOf(PoolData.Insights(new Random(3), PoolData.Uniform(new Random(3), 5, Dimensions)), Dimensions);

        Assert.False(index.Remove(Guid.NewGuid()));
        Assert.Equal(5, index.Count);
    }

    [Fact]
    public void RemoveAndUpsert_ManyChangesThroughCompactionAndGrowth_EqualsExactReference()
    {
        var random = new Random(4);
        var pool = PoolData.WithRandomAttributes(random, PoolData.Clustered(random, 600, Dimensions, 6, 0.4f)).ToDictionary(memory => memory.MemoryId);
        var index = new ApprovedPoolIndex(Dimensions);
        foreach (var memory in pool.Values)
        {
            index.Upsert(memory);
        }

        foreach (var id in pool.Keys.Where(_ => random.Next(3) > 0).ToList())
        {
            Assert.True(index.Remove(id));
            pool.Remove(id);
        }

        foreach (var memory in PoolData.WithRandomAttributes(random, PoolData.Uniform(random, 150, Dimensions)))
        {
            // Half replace a surviving memory, half are new.
            var upserted = random.Next(2) == 0 ? memory with { MemoryId = pool.Keys.ElementAt(random.Next(pool.Count)) } : memory;
            index.Upsert(upserted);
            pool[upserted.MemoryId] = upserted;
        }

        Assert.Equal(pool.Count, index.Count);
        for (int q = 0; q < 10; q++)
        {
            float[] query = PoolData.Gaussian(random, Dimensions);
            ExactReference.AssertSameHits(ExactReference.Search(pool.Values, query, 10, AnyKind), index.Search(query, 10, AnyKind));
        }
    }

    [Fact]
    public void ReplaceAll_NewPool_ReplacesEveryMemory()
    {
        var random = new Random(5);
        var oldPool = PoolData.Insights(random, PoolData.Uniform(random, 40, Dimensions));
        var newPool = PoolData.Insights(random, PoolData.Uniform(random, 25, Dimensions));
        var index = PoolData.IndexOf(oldPool, Dimensions);

        index.ReplaceAll(newPool);

        Assert.Equal(25, index.Count);
        var hits = index.Search(PoolData.Gaussian(random, Dimensions), 100, new RetrievalFilter());
        Assert.Equal(newPool.Select(memory => memory.MemoryId).Order(), hits.Select(hit => hit.MemoryId).Order());
        Assert.False(index.Remove(oldPool[0].MemoryId));
    }

    [Fact]
    public void ReplaceAll_DuplicateIds_LastOccurrenceWins()
    {
        var random = new Random(6);
        var id = Guid.NewGuid();
        float[] first = PoolData.Gaussian(random, Dimensions);
        float[] last = PoolData.Gaussian(random, Dimensions);
        var index = new ApprovedPoolIndex(Dimensions);

        index.ReplaceAll([PoolData.Insight(first, id), PoolData.Insight(PoolData.Gaussian(random, Dimensions)), PoolData.Insight(last, id)]);

        Assert.Equal(2, index.Count);
        var hit = index.Search(last, 1, new RetrievalFilter())[0];
        Assert.Equal(id, hit.MemoryId);
        Assert.Equal(1f, hit.Score, 1e-6f);
    }

    [Theory]
    [InlineData("wrong dimensions")]
    [InlineData("zero embedding")]
    [InlineData("NaN embedding")]
    public void ReplaceAll_InvalidMemory_ThrowsAndLeavesPoolUnchanged(string problem)
    {
        var random = new Random(7);
        var pool = PoolData.Insights(random, PoolData.Uniform(random, 3000, Dimensions));
        var index = PoolData.IndexOf(pool, Dimensions);
        var replacement = PoolData.Insights(random, PoolData.Uniform(random, 3000, Dimensions));
        float[] bad = problem switch
        {
            "wrong dimensions" => new float[Dimensions + 1],
            "zero embedding" => new float[Dimensions],
            _ => [.. Enumerable.Repeat(float.NaN, Dimensions)],
        };
        replacement[2500] = PoolData.Insight(bad);

        var error = Assert.Throws<ArgumentException>(() => index.ReplaceAll(replacement));

        Assert.Contains(replacement[2500].MemoryId.ToString(), error.Message);
        Assert.Equal(3000, index.Count);
        Assert.Equal(pool[0].MemoryId, index.Search(pool[0].Embedding.Span, 1, new RetrievalFilter())[0].MemoryId);
    }

    [Fact]
    public void Upsert_EmbeddingFromAnotherModel_ThrowsArgumentExceptionAndKeepsPool()
    {
        var index = new ApprovedPoolIndex(384);

        var error = Assert.Throws<ArgumentException>(() => index.Upsert(PoolData.Insight(new float[1536])));

        Assert.Contains("1536-dimensional", error.Message);
        Assert.Contains("384-dimensional", error.Message);
        Assert.Contains("different model", error.Message);
        Assert.Equal(0, index.Count);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Upsert_EmbeddingWithoutDirection_ThrowsArgumentException(float value)
    {
        var index = new ApprovedPoolIndex(4);

        Assert.Throws<ArgumentException>(() => index.Upsert(PoolData.Insight([value, 0f, 0f, 0f])));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Constructor_Dimensions_AreReported() => Assert.Equal(1536, new ApprovedPoolIndex(1536).Dimensions);
}
