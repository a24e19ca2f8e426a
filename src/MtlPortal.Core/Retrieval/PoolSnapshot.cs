namespace MtlPortal.Retrieval;

/// <summary>
/// The view of the pool that one search works on: the first <see cref="RowCount"/> rows of <see cref="Storage"/>,
/// less those removed at or before <see cref="Version"/>.
/// </summary>
/// <remarks>
/// Writers never change what a published snapshot sees. They append rows past <see cref="RowCount"/>; to remove a
/// row they stamp it with the storage's next version and then publish a snapshot of that version with one atomic
/// reference write. A search holding an older snapshot still sees the row (its stamp is newer than the snapshot),
/// so a search that started before a removal may return the removed memory; every search that starts after
/// <see cref="ApprovedPoolIndex.Remove"/> returns cannot. This costs a write O(1), where copying a live-row set
/// per write cost O(pool size) and, for large pools, a large-object allocation per write.
/// </remarks>
internal sealed class PoolSnapshot(PoolStorage storage, int rowCount, int liveCount, int version)
{
    public PoolStorage Storage { get; } = storage;

    public int RowCount { get; } = rowCount;

    public int LiveCount { get; } = liveCount;

    /// <summary>Rows whose removal stamp is at most this version are not in this snapshot's pool.</summary>
    public int Version { get; } = version;

    // Catalog sizes when the snapshot was published: every attribute id in its rows is below these.
    public int DomainCount { get; } = storage.Catalog.Domains.Count;

    public int TeamCount { get; } = storage.Catalog.Teams.Count;

    public int ModelCount { get; } = storage.Catalog.Models.Count;

    public bool IsLive(int row) => Storage.RemovedAt[row] > Version;
}
