using MtlPortal.Memories;
using MtlPortal.Retrieval;

namespace MtlPortal.UnitTests.Runs;

/// <summary>A run's frozen pool narrows the index before ranking, like every other filter.</summary>
public class FrozenPoolTests
{
    [Fact]
    public void Search_FrozenSet_RanksOnlyItsMembersEvenWhenOthersAreCloser()
    {
        var index = new ApprovedPoolIndex(3);
        var closest = Guid.CreateVersion7();
        var frozenA = Guid.CreateVersion7();
        var frozenB = Guid.CreateVersion7();
        index.Upsert(Memory(closest, [1f, 0f, 0f]));
        index.Upsert(Memory(frozenA, [0.8f, 0.6f, 0f]));
        index.Upsert(Memory(frozenB, [0f, 0f, 1f]));

        var hits = index.Search([1f, 0f, 0f], 2, new RetrievalFilter { Memories = new HashSet<Guid> { frozenA, frozenB } });

        Assert.Equal([frozenA, frozenB], hits.Select(h => h.MemoryId));
    }

    [Fact]
    public void Search_EmptyFrozenSet_ReturnsNothing()
    {
        var index = new ApprovedPoolIndex(3);
        index.Upsert(Memory(Guid.CreateVersion7(), [1f, 0f, 0f]));

        Assert.Empty(index.Search([1f, 0f, 0f], 3, new RetrievalFilter { Memories = new HashSet<Guid>() }));
    }

    private static IndexedMemory Memory(Guid id, float[] embedding) =>
        new(id, MemoryKind.Insight, "elsewhere", Guid.Empty, "model", 0.9, embedding);
}
