using System.Collections.Concurrent;
using MtlPortal.Retrieval;

namespace MtlPortal.UnitTests.Retrieval;

public class ApprovedPoolIndexConcurrencyTests
{
    private const int Dimensions = 64;

    [Fact]
    public async Task Search_DuringUpsertsAndRemoves_NeverThrowsNorReturnsMemoriesRemovedBeforeItStarted()
    {
        var random = new Random(9);
        float[] hot = PoolData.Gaussian(random, Dimensions);
        var index = PoolData.IndexOf(PoolData.Insights(random, PoolData.Uniform(random, 2000, Dimensions)), Dimensions);
        // Memory id → the sequence number its removal completed with; published before removedCount moves past it.
        var removedAt = new ConcurrentDictionary<Guid, int>();
        int removedCount = 0;
        var writing = new CancellationTokenSource();
        var filter = new RetrievalFilter();

        // Transient memories sit right next to the query, so any of them still visible would rank first.
        var writer = Task.Run(() =>
        {
            var writerRandom = new Random(10);
            try
            {
                for (int i = 0; i < 1500; i++)
                {
                    var transient = PoolData.Insight(PoolData.Near(writerRandom, hot, 0.01f));
                    index.Upsert(transient);
                    index.Upsert(transient with { AbstractionScore = 0.5 });
                    Assert.True(index.Remove(transient.MemoryId));
                    removedAt[transient.MemoryId] = i + 1;
                    Volatile.Write(ref removedCount, i + 1);
                }
            }
            finally
            {
                writing.Cancel();
            }
        });

        async Task<int> SearchUntilWriterStops()
        {
            await Task.Yield();
            int searches = 0;
            while (!writing.IsCancellationRequested)
            {
                int removedBefore = Volatile.Read(ref removedCount);
                var hits = index.Search(hot, 5, filter);
                Assert.Equal(5, hits.Count);
                foreach (var hit in hits)
                {
                    Assert.InRange(hit.Score, -1f, 1f);
                    Assert.False(removedAt.TryGetValue(hit.MemoryId, out int removal) && removal <= removedBefore, $"search returned {hit.MemoryId}, removed before it started");
                }

                searches++;
            }

            return searches;
        }

        int[] searches = await Task.WhenAll(SearchUntilWriterStops(), SearchUntilWriterStops());
        await writer;

        Assert.All(searches, count => Assert.True(count > 0));
        Assert.Equal(2000, index.Count);
        Assert.DoesNotContain(index.Search(hot, 5, filter), hit => removedAt.ContainsKey(hit.MemoryId));
    }
}
