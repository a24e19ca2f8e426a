namespace MtlPortal.Retrieval;

/// <summary>
/// The approved memory pool held in memory for retrieval: exact cosine top-k over the memories a filter leaves
/// eligible, as in the Memory Transfer Learning paper (embed the task, rank the pool, leave the task's own domain out).
/// </summary>
/// <remarks>
/// <para>
/// <b>Search.</b> A first pass scans int8 codes of every eligible row (a quarter of the bytes of the float rows,
/// and the scan is memory-bound) and keeps, for each row, a rigorous interval that contains its exact score. Only
/// rows whose upper bound reaches the k-th best lower bound can be in the exact top k; those are re-ranked with
/// <c>TensorPrimitives.Dot</c> on the normalised float rows. The result therefore equals an exact scan, ties
/// included: scores descending, then <see cref="Guid"/> order of the memory id ascending. Large pools are scanned
/// by several cores at once (see <see cref="MaxDegreeOfParallelism"/>).
/// </para>
/// <para>
/// <b>Concurrency.</b> Any number of searches may run while one writer at a time upserts or removes. Searches read
/// a snapshot without locking; writers serialise on a lock, append rows past the published ones, stamp removed rows
/// with a version that only newer snapshots exclude, and swap in a new snapshot atomically, so a write costs O(1).
/// When a quarter of the rows are dead, the live rows are compacted into fresh arrays (measured: ~75 ms for
/// 10^5 × 384). Appending to a full storage grows it the same way, which copies the pool: the index is built for a
/// read-mostly pool with occasional approvals, and bulk loads belong in <see cref="ReplaceAll"/>.
/// </para>
/// </remarks>
public sealed partial class ApprovedPoolIndex
{
    /// <summary>Keeps the first pass's int32 sums safely away from overflow even with int16 query codes.</summary>
    public const int MaxDimensions = 65_536;

    private readonly Lock _writeLock = new();
    private volatile PoolSnapshot _snapshot;
    private int _maxDegreeOfParallelism;

    // Read and written only under _writeLock: searches never need to find a row by id.
    private Dictionary<Guid, int> _rowsById = [];

    /// <summary>Creates an empty index for embeddings of <paramref name="dimensions"/> dimensions.</summary>
    /// <param name="dimensions">The embedding model's output dimension; every memory and query must match it.</param>
    /// <param name="maxDegreeOfParallelism">
    /// How many cores one search of a large pool may use; 0 (the default) means all of them.
    /// </param>
    public ApprovedPoolIndex(int dimensions, int maxDegreeOfParallelism = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions, MaxDimensions);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDegreeOfParallelism);
        Dimensions = dimensions;
        _maxDegreeOfParallelism = maxDegreeOfParallelism == 0 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        _snapshot = new PoolSnapshot(new PoolStorage(dimensions, 0, new AttributeCatalog()), 0, 0, 0);
    }

    /// <summary>The embedding dimension every memory and query must have.</summary>
    public int Dimensions { get; }

    /// <summary>
    /// The most cores one search uses; small pools are always scanned on the calling thread. A host serving many
    /// concurrent searches may lower it to 1, trading single-search latency for throughput; a change applies to
    /// searches that start afterwards.
    /// </summary>
    public int MaxDegreeOfParallelism
    {
        get => Volatile.Read(ref _maxDegreeOfParallelism);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            Volatile.Write(ref _maxDegreeOfParallelism, value);
        }
    }

    /// <summary>The number of memories in the pool.</summary>
    public int Count => _snapshot.LiveCount;

    /// <summary>Adds a memory, or replaces the memory with the same id (embedding and attributes).</summary>
    /// <exception cref="ArgumentException">The embedding has the wrong dimension, is zero, or is not finite.</exception>
    public void Upsert(IndexedMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        CheckAttributes(memory);
        CheckEmbedding(memory);

        lock (_writeLock)
        {
            PoolSnapshot current = _snapshot;
            if (current.RowCount == current.Storage.Capacity)
            {
                current = Compact(current, CapacityWithHeadroom(current.LiveCount + 1, 4));
            }

            PoolStorage storage = current.Storage;
            int row = current.RowCount;
            storage.Write(row, memory.MemoryId, storage.Catalog.Intern(memory), memory.Embedding.Span);
            storage.Count = row + 1;

            int liveCount = current.LiveCount + 1;
            if (_rowsById.TryGetValue(memory.MemoryId, out int replacedRow))
            {
                storage.RemovedAt[replacedRow] = ++storage.Version;
                liveCount--;
            }

            _rowsById[memory.MemoryId] = row;
            _snapshot = new PoolSnapshot(storage, row + 1, liveCount, storage.Version);
            CompactIfNeeded();
        }
    }

    /// <summary>Removes a memory. Searches that start after this returns never see it.</summary>
    /// <returns>Whether the memory was in the pool.</returns>
    public bool Remove(Guid memoryId)
    {
        lock (_writeLock)
        {
            if (!_rowsById.Remove(memoryId, out int row))
            {
                return false;
            }

            PoolSnapshot current = _snapshot;
            PoolStorage storage = current.Storage;
            storage.RemovedAt[row] = ++storage.Version;
            _snapshot = new PoolSnapshot(storage, current.RowCount, current.LiveCount - 1, storage.Version);
            CompactIfNeeded();
            return true;
        }
    }

    /// <summary>
    /// Replaces the whole pool, e.g. at start-up or when reloading it from the database. If a memory id occurs more
    /// than once the last occurrence wins. Either every memory is valid and the new pool replaces the old one
    /// atomically, or an exception is thrown and the pool is unchanged. The new pool is built before the write lock
    /// is taken, so upserts and removals that complete meanwhile are overwritten by it.
    /// </summary>
    /// <exception cref="ArgumentException">A memory is null or its embedding has the wrong dimension, is zero, or is not finite.</exception>
    public void ReplaceAll(IEnumerable<IndexedMemory> memories)
    {
        ArgumentNullException.ThrowIfNull(memories);
        IndexedMemory[] items = [.. memories];

        var lastPosition = new Dictionary<Guid, int>(items.Length);
        for (int i = 0; i < items.Length; i++)
        {
            IndexedMemory memory = items[i] ?? throw new ArgumentException($"Memory number {i} is null.", nameof(memories));
            CheckAttributes(memory);
            lastPosition[memory.MemoryId] = i;
        }

        // Ids and attributes go in sequentially (the catalog is single-writer); it is fresh, so ids of domains,
        // teams and models that are no longer in the pool are dropped.
        var storage = new PoolStorage(Dimensions, CapacityWithHeadroom(lastPosition.Count, 16), new AttributeCatalog());
        var sources = new IndexedMemory[lastPosition.Count];
        var rowsById = new Dictionary<Guid, int>(lastPosition.Count);
        int rowCount = 0;
        for (int i = 0; i < items.Length; i++)
        {
            if (lastPosition[items[i].MemoryId] == i)
            {
                sources[rowCount] = items[i];
                storage.WriteIdentity(rowCount, items[i].MemoryId, storage.Catalog.Intern(items[i]));
                rowsById[items[i].MemoryId] = rowCount;
                rowCount++;
            }
        }

        WriteEmbeddings(storage, sources);
        storage.Count = rowCount;

        lock (_writeLock)
        {
            _rowsById = rowsById;
            _snapshot = new PoolSnapshot(storage, rowCount, rowCount, 0);
        }
    }

    // Normalising and quantising is the expensive part of a bulk load, so it runs on all cores; an invalid
    // embedding is reported after the loop, as the first one in input order, rather than thrown from a worker.
    private void WriteEmbeddings(PoolStorage storage, IndexedMemory[] sources)
    {
        const int RowsPerBatch = 1024;
        int batches = (sources.Length + RowsPerBatch - 1) / RowsPerBatch;
        int firstInvalid = int.MaxValue;
        Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism }, batch =>
        {
            int end = Math.Min(sources.Length, (batch + 1) * RowsPerBatch);
            for (int row = batch * RowsPerBatch; row < end; row++)
            {
                ReadOnlySpan<float> embedding = sources[row].Embedding.Span;
                if (embedding.Length != Dimensions || PoolStorage.FindProblem(embedding) is not null)
                {
                    InterlockedMin(ref firstInvalid, row);
                    return;
                }

                storage.WriteEmbedding(row, embedding);
            }
        });

        if (firstInvalid != int.MaxValue)
        {
            CheckEmbedding(sources[firstInvalid]);
        }
    }

    private void CheckAttributes(IndexedMemory memory)
    {
        if (memory.Embedding.Length != Dimensions)
        {
            throw new ArgumentException(
                $"Memory {memory.MemoryId} has a {memory.Embedding.Length}-dimensional embedding, but this index holds "
                + $"{Dimensions}-dimensional embeddings: it was embedded with a different model than the pool. "
                + "Re-embed it with the pool's model, or re-embed the whole pool into a new index.",
                nameof(memory));
        }

        if (!Enum.IsDefined(memory.Kind))
        {
            throw new ArgumentException($"Memory {memory.MemoryId} has an unknown kind {(int)memory.Kind}.", nameof(memory));
        }

        if (memory.SourceDomain is null || memory.SourceModel is null)
        {
            throw new ArgumentException($"Memory {memory.MemoryId} needs a source domain and a source model.", nameof(memory));
        }

        if (!double.IsFinite(memory.AbstractionScore))
        {
            throw new ArgumentException($"Memory {memory.MemoryId} has an abstraction score that is not a number.", nameof(memory));
        }
    }

    private static void CheckEmbedding(IndexedMemory memory)
    {
        if (PoolStorage.FindProblem(memory.Embedding.Span) is string problem)
        {
            throw new ArgumentException($"Memory {memory.MemoryId} cannot be indexed: {problem}.", nameof(memory));
        }
    }

    // Compacts when a quarter of the rows are dead, or (after two billion writes to one storage) before the
    // removal stamps run out.
    private void CompactIfNeeded()
    {
        PoolSnapshot current = _snapshot;
        int dead = current.RowCount - current.LiveCount;
        if ((dead > 0 && dead * 4L > current.RowCount) || current.Storage.Version >= PoolStorage.NotRemoved - 1)
        {
            Compact(current, CapacityWithHeadroom(current.LiveCount, 4));
        }
    }

    // Copies the live rows into new arrays and publishes them. Searches still scanning the old storage keep it
    // alive until they finish; nothing writes to it again.
    private PoolSnapshot Compact(PoolSnapshot current, int capacity)
    {
        var storage = new PoolStorage(Dimensions, capacity, current.Storage.Catalog);
        var rowsById = new Dictionary<Guid, int>(current.LiveCount);
        int row = 0;
        for (int source = 0; source < current.RowCount; source++)
        {
            if (current.IsLive(source))
            {
                storage.CopyRow(current.Storage, source, row);
                rowsById[storage.Ids[row]] = row;
                row++;
            }
        }

        storage.Count = row;
        _rowsById = rowsById;
        var compacted = new PoolSnapshot(storage, row, row, 0);
        _snapshot = compacted;
        return compacted;
    }

    private static int CapacityWithHeadroom(int count, int headroomDivisor) =>
        (int)Math.Min(Array.MaxLength, count + Math.Max(64L, count / headroomDivisor));

    private static void InterlockedMin(ref int location, int value)
    {
        int current = Volatile.Read(ref location);
        while (value < current)
        {
            int seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
