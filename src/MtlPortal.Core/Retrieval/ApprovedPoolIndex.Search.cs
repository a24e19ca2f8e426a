using System.Numerics.Tensors;

namespace MtlPortal.Retrieval;

public sealed partial class ApprovedPoolIndex
{
    // Why a parallel scan, and from what size (bench/MtlPortal.Bench on the 2-core dev machine, 10^5 × 384):
    // the float scan reads 154 MB and takes ~7 ms however it is vectorised, because it is memory-bound; the int8
    // codes are a quarter of that, ~1.4–2 ms on one core, which already meets the 3 ms target. One core does not
    // saturate memory bandwidth, so a second core brings it to ~0.8 ms when it is free (and, by the design of
    // ChunkedScan, costs about nothing when it is busy with other work). Below ~4 MB of codes
    // (10^4 × 384) a scan takes ~0.1 ms and a thread-pool hand-off gains nothing measurable, so small pools
    // stay on the calling thread, which also keeps a busy web host's thread pool for other requests.
    private const long ParallelScanMinCodeBytes = 4L << 20;

    // The parallel scan splits the rows into chunks of at least this many bytes of codes (~25 µs of work), and
    // into at most MaxScanChunks chunks, so a chunk is a small share of any scan.
    private const int ScanChunkMinCodeBytes = 512 << 10;

    private const int MaxScanChunks = 64;

    /// <summary>
    /// Returns the <paramref name="k"/> eligible memories most similar to <paramref name="query"/>, best first:
    /// cosine similarity descending, ties broken by memory id ascending. Equal to an exact scan of the pool.
    /// </summary>
    /// <param name="query">The task's embedding, from the same model as the pool; need not be normalised.</param>
    /// <param name="k">How many memories to return at most.</param>
    /// <param name="filter">Which memories are eligible; applied before ranking.</param>
    /// <returns>At most <paramref name="k"/> hits; none for a zero query vector.</returns>
    /// <exception cref="ArgumentException">The query's dimension differs from the pool's, or it is not finite.</exception>
    public IReadOnlyList<IndexHit> Search(ReadOnlySpan<float> query, int k, RetrievalFilter filter)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentNullException.ThrowIfNull(filter);
        if (query.Length != Dimensions)
        {
            throw new ArgumentException(
                $"The query has {query.Length} dimensions, but this index holds {Dimensions}-dimensional embeddings: "
                + "the query and the pool were embedded with different models.",
                nameof(query));
        }

        PoolSnapshot snapshot = _snapshot;
        QueryCode? code = QueryCode.Create(query, snapshot.Storage.CodeStride);
        RowFilter rowFilter = RowFilter.Compile(filter, snapshot);
        if (code is null || snapshot.LiveCount == 0 || rowFilter.MatchesNothing)
        {
            return [];
        }

        // A k beyond the pool size would only size the heaps: nothing more can be returned.
        k = Math.Min(k, snapshot.LiveCount);
        List<ScanPartition> partitions = FirstPass(snapshot, code, rowFilter, k);
        return Rerank(snapshot, code, partitions, k);
    }

    private List<ScanPartition> FirstPass(PoolSnapshot snapshot, QueryCode code, RowFilter rowFilter, int k)
    {
        int stride = snapshot.Storage.CodeStride;
        int degree = MaxDegreeOfParallelism;
        if (degree == 1 || (long)snapshot.RowCount * stride < ParallelScanMinCodeBytes)
        {
            var partition = new ScanPartition(k);
            partition.Scan(snapshot, code, rowFilter, 0, snapshot.RowCount);
            return [partition];
        }

        int rowsPerChunk = Math.Max(
            Math.Max(64, ScanChunkMinCodeBytes / stride),
            (snapshot.RowCount + MaxScanChunks - 1) / MaxScanChunks);
        var scan = new ChunkedScan(snapshot, code, rowFilter, k, rowsPerChunk);
        for (int helper = 1; helper < degree; helper++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static chunked => chunked.Work(), scan, preferLocal: false);
        }

        scan.Work();
        return scan.Finish();
    }

    /// <summary>
    /// A first pass shared by the calling thread and thread-pool helpers, in which the caller never waits.
    /// </summary>
    /// <remarks>
    /// Threads claim chunks in turn, and each chunk's result goes to its own slot. When no chunk is left to claim,
    /// the caller scans again any chunk a helper claimed but has not finished, and the first result for a chunk
    /// wins. On a machine busy with other work, a helper can be preempted for milliseconds in the middle of a
    /// chunk; waiting for it made the two-core scan measurably slower than one core (p50 2–7 ms against 1.6–2.2 ms
    /// at 10^5 × 384 under a load average of 12–17). Now a search costs at most one core's scan plus one chunk,
    /// and about half a scan when a second core is free. A helper that starts after the search has finished finds
    /// nothing to claim; one that finishes late writes a result nobody reads.
    /// </remarks>
    private sealed class ChunkedScan(PoolSnapshot snapshot, QueryCode code, RowFilter rowFilter, int k, int rowsPerChunk)
    {
        private readonly ScanPartition?[] _results = new ScanPartition?[(snapshot.RowCount + rowsPerChunk - 1) / rowsPerChunk];
        private int _lastClaimed = -1;

        public void Work()
        {
            int chunk;
            while ((chunk = Interlocked.Increment(ref _lastClaimed)) < _results.Length)
            {
                Complete(chunk);
            }
        }

        public List<ScanPartition> Finish()
        {
            var partitions = new List<ScanPartition>(_results.Length);
            for (int chunk = 0; chunk < _results.Length; chunk++)
            {
                partitions.Add(Volatile.Read(ref _results[chunk]) ?? Complete(chunk));
            }

            return partitions;
        }

        private ScanPartition Complete(int chunk)
        {
            var partition = new ScanPartition(k);
            int start = chunk * rowsPerChunk;
            partition.Scan(snapshot, code, rowFilter, start, Math.Min(snapshot.RowCount, start + rowsPerChunk));
            return Interlocked.CompareExchange(ref _results[chunk], partition, null) ?? partition;
        }
    }

    // Exact re-rank of the rows whose upper bound reaches the k-th best lower bound over all partitions. Each
    // partition only dropped rows below its own k-th best lower bound, which is never above the global one.
    private static IndexHit[] Rerank(PoolSnapshot snapshot, QueryCode code, List<ScanPartition> partitions, int k)
    {
        float bar = KthLargestLowerBound(partitions, k);
        PoolStorage storage = snapshot.Storage;
        int dimensions = storage.Dimensions;
        var best = new PriorityQueue<IndexHit, IndexHit>(k + 1, WorstFirst.Instance);
        foreach (ScanPartition partition in partitions)
        {
            for (int i = 0; i < partition.CandidateCount; i++)
            {
                if (partition.CandidateUpperBounds[i] < bar)
                {
                    continue;
                }

                int row = partition.CandidateRows[i];
                float dot = TensorPrimitives.Dot(code.Normalized, storage.Vectors.AsSpan(row * dimensions, dimensions));
                var hit = new IndexHit(storage.Ids[row], Math.Clamp(dot, -1f, 1f));
                if (best.Count < k)
                {
                    best.Enqueue(hit, hit);
                }
                else if (WorstFirst.Instance.Compare(hit, best.Peek()) > 0)
                {
                    best.DequeueEnqueue(hit, hit);
                }
            }
        }

        var hits = new IndexHit[best.Count];
        for (int i = hits.Length - 1; i >= 0; i--)
        {
            hits[i] = best.Dequeue();
        }

        return hits;
    }

    private static float KthLargestLowerBound(List<ScanPartition> partitions, int k)
    {
        var lowerBounds = new List<float>(k * partitions.Count);
        foreach (ScanPartition partition in partitions)
        {
            lowerBounds.AddRange(partition.LowerBounds);
        }

        if (lowerBounds.Count < k)
        {
            return float.NegativeInfinity;
        }

        lowerBounds.Sort();
        return lowerBounds[^k];
    }

    /// <summary>Orders hits worst first: lower score, then (on equal scores) larger id.</summary>
    private sealed class WorstFirst : IComparer<IndexHit>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare(IndexHit x, IndexHit y)
        {
            int byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : y.MemoryId.CompareTo(x.MemoryId);
        }
    }

    /// <summary>One worker's part of the first pass: the rows it scanned that may belong to the exact top k.</summary>
    private sealed class ScanPartition(int k)
    {
        // Min-heap of the k largest lower bounds seen so far; once full, its root is the bar that a row's upper
        // bound must reach for the row to stay a candidate.
        private readonly float[] _lowerBounds = new float[k];
        private int _lowerBoundCount;
        private float _bar = float.NegativeInfinity;
        private int[] _rows = new int[Math.Max(64, 4 * k)];
        private float[] _upperBounds = new float[Math.Max(64, 4 * k)];

        public int CandidateCount { get; private set; }

        public int[] CandidateRows => _rows;

        public float[] CandidateUpperBounds => _upperBounds;

        public ReadOnlySpan<float> LowerBounds => _lowerBounds.AsSpan(0, _lowerBoundCount);

        public void Scan(PoolSnapshot snapshot, QueryCode code, RowFilter rowFilter, int start, int end)
        {
            PoolStorage storage = snapshot.Storage;
            int[] removedAt = storage.RemovedAt;
            int version = snapshot.Version;
            RowAttributes[] attributes = storage.Attributes;
            sbyte[] codes = storage.Codes;
            float[] scales = storage.CodeScales;
            float[] residuals = storage.CodeErrors;
            int stride = storage.CodeStride;
            ReadOnlySpan<short> query = code.Codes;
            float queryScale = code.Scale;
            float residualFactor = code.ResidualFactor;
            float errorOffset = code.ErrorOffset;
            float bar = _bar;

            for (int row = start; row < end; row++)
            {
                if (removedAt[row] <= version || !rowFilter.Accepts(row, in attributes[row]))
                {
                    continue;
                }

                int dot = QuantizedDot.Compute(codes.AsSpan(row * stride, stride), query);
                float approximate = dot * (queryScale * scales[row]);
                float error = (residualFactor * residuals[row]) + errorOffset;
                if (approximate + error < bar)
                {
                    continue;
                }

                Add(row, approximate + error, approximate - error);
                bar = _bar;
            }
        }

        private void Add(int row, float upperBound, float lowerBound)
        {
            if (CandidateCount == _rows.Length)
            {
                Prune();
                if (CandidateCount > _rows.Length / 2)
                {
                    Array.Resize(ref _rows, _rows.Length * 2);
                    Array.Resize(ref _upperBounds, _upperBounds.Length * 2);
                }
            }

            _rows[CandidateCount] = row;
            _upperBounds[CandidateCount] = upperBound;
            CandidateCount++;
            OfferLowerBound(lowerBound);
        }

        // Drops candidates that the bar has risen above since they were added.
        private void Prune()
        {
            int kept = 0;
            for (int i = 0; i < CandidateCount; i++)
            {
                if (_upperBounds[i] >= _bar)
                {
                    _rows[kept] = _rows[i];
                    _upperBounds[kept] = _upperBounds[i];
                    kept++;
                }
            }

            CandidateCount = kept;
        }

        private void OfferLowerBound(float lowerBound)
        {
            float[] heap = _lowerBounds;
            if (_lowerBoundCount < heap.Length)
            {
                int child = _lowerBoundCount++;
                while (child > 0)
                {
                    int parent = (child - 1) / 2;
                    if (heap[parent] <= lowerBound)
                    {
                        break;
                    }

                    heap[child] = heap[parent];
                    child = parent;
                }

                heap[child] = lowerBound;
            }
            else if (lowerBound > heap[0])
            {
                int parent = 0;
                while (true)
                {
                    int child = (2 * parent) + 1;
                    if (child >= heap.Length)
                    {
                        break;
                    }

                    if (child + 1 < heap.Length && heap[child + 1] < heap[child])
                    {
                        child++;
                    }

                    if (heap[child] >= lowerBound)
                    {
                        break;
                    }

                    heap[parent] = heap[child];
                    parent = child;
                }

                heap[parent] = lowerBound;
            }

            if (_lowerBoundCount == heap.Length)
            {
                _bar = heap[0];
            }
        }
    }
}
