namespace MtlPortal.Retrieval;

/// <summary>
/// An immutable view of the pool that one search works on: the first <see cref="RowCount"/> rows of
/// <see cref="Storage"/>, of which those whose bit is set in <see cref="Live"/> are in the pool.
/// </summary>
/// <remarks>
/// Writers never modify a published snapshot: they append rows past <see cref="RowCount"/>, copy the live set, and
/// publish a new snapshot with one atomic reference write. A search that started before a removal may still return
/// the removed memory; every search that starts after <see cref="ApprovedPoolIndex.Remove"/> returns cannot.
/// </remarks>
internal sealed class PoolSnapshot(
    PoolStorage storage,
    int rowCount,
    ulong[] live,
    int liveCount)
{
    public PoolStorage Storage { get; } = storage;

    public int RowCount { get; } = rowCount;

    /// <summary>One bit per row of the storage's capacity: set when the row is in the pool.</summary>
    public ulong[] Live { get; } = live;

    public int LiveCount { get; } = liveCount;

    // Catalog sizes when the snapshot was published: every attribute id in its rows is below these.
    public int DomainCount { get; } = storage.Catalog.Domains.Count;

    public int TeamCount { get; } = storage.Catalog.Teams.Count;

    public int ModelCount { get; } = storage.Catalog.Models.Count;

    public static ulong[] NewLiveSet(int capacity) => new ulong[(capacity + 63) / 64];

    public bool IsLive(int row) => (Live[row >> 6] & (1UL << (row & 63))) != 0;
}
