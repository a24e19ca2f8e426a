using System.Diagnostics;
using System.Globalization;
using MtlPortal.Retrieval;

namespace MtlPortal.Bench;

/// <summary>
/// Search latency of <see cref="ApprovedPoolIndex"/> against exact brute-force scans on the same clustered pool,
/// with recall@k of the index against the scalar exact scan, and the cost of an upsert and a removal.
/// </summary>
internal static class IndexSearchBenchmark
{
    private static readonly string[] Columns =
    [
        "timestamp", "cores", "pool", "dims", "k", "queries",
        "index_p50_ms", "index_p99_ms", "index_1core_p50_ms", "index_1core_p99_ms",
        "simd_exact_p50_ms", "simd_exact_p99_ms", "scalar_exact_p50_ms", "scalar_exact_p99_ms", "baseline_queries",
        "recall_at_k", "upsert_us", "remove_us", "compact_ms", "generate_s", "build_s",
    ];

    public static int Run(BenchOptions options)
    {
        var workloads = options.Sizes.SelectMany(size => options.Dimensions.Select(dims => (Size: size, Dims: dims)))
            .OrderBy(w => (long)w.Size * w.Dims)
            .ToList();
        using var results = new ResultsFile(options.OutputDirectory, "index", Columns);
        Console.WriteLine($"ApprovedPoolIndex search, k = {options.K}, {Environment.ProcessorCount} cores, {options.Queries} queries per pool; exact baselines capped at {options.BaselineSeconds} s each.");
        Console.WriteLine("Latencies in ms (p50 / p99). 'all cores' is the default index; 'simd exact' is TensorPrimitives.Dot over every float row.");
        Console.WriteLine();
        Console.WriteLine($"{"pool",9} {"dims",5} | {"index, all cores",17} | {"index, 1 core",15} | {"simd exact",15} | {"scalar exact",15} | {"recall@" + options.K,9} | {"upsert µs",9} {"remove µs",9} {"compact ms",10} | {"build s",7}");

        foreach (var (size, dims) in workloads)
        {
            if (!FitsInMemory(size, dims))
            {
                Console.WriteLine($"{size,9:N0} {dims,5} | skipped: not enough free memory for the pool, its index and the baseline copy");
                continue;
            }

            Measure(options, size, dims, results);
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        Console.WriteLine();
        Console.WriteLine($"CSV: {results.Path}");
        return 0;
    }

    private static void Measure(BenchOptions options, int size, int dims, ResultsFile results)
    {
        long start = Stopwatch.GetTimestamp();
        var pool = SyntheticPool.Generate(size, dims, options.Seed);
        double generateSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        start = Stopwatch.GetTimestamp();
        var index = new ApprovedPoolIndex(dims);
        index.ReplaceAll(pool.AsMemories());
        double buildSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        var random = new Random(options.Seed + 1);
        var queries = Enumerable.Range(0, options.Queries).Select(_ => pool.NewQuery(random)).ToArray();
        var filters = Enumerable.Range(0, SyntheticPool.DomainCount)
            .Select(domain => new RetrievalFilter { ExcludeDomains = [SyntheticPool.DomainName(domain)] })
            .ToArray();
        int k = options.K;

        WarmUp(index, queries, filters, k);
        GC.Collect();
        // Interleaved, alternating which goes first, so that load from other processes hits both alike.
        var allCores = new LatencyStats();
        var oneCore = new LatencyStats();
        var hits = new IReadOnlyList<IndexHit>[queries.Length];
        for (int i = 0; i < queries.Length; i++)
        {
            var q = queries[i];
            for (int pass = 0; pass < 2; pass++)
            {
                bool parallel = (pass + i) % 2 == 0;
                index.MaxDegreeOfParallelism = parallel ? Environment.ProcessorCount : 1;
                var found = (parallel ? allCores : oneCore).Time(() => index.Search(q.Query, k, filters[q.ExcludedDomain]));
                if (parallel)
                {
                    hits[i] = found;
                }
            }
        }

        index.MaxDegreeOfParallelism = Environment.ProcessorCount;
        var simd = Baseline(options, queries, q => ExactScans.Simd(pool, q.Query, q.ExcludedDomain, k));
        var scalar = Baseline(options, queries, q => ExactScans.Scalar(pool, q.Query, q.ExcludedDomain, k));
        double recall = Recall(pool, hits, scalar.Results, k);
        (double upsertMicroseconds, double removeMicroseconds) = MeasureWrites(index, pool);
        double compactMilliseconds = MeasureCompaction(index, pool);

        Console.WriteLine(
            $"{size,9:N0} {dims,5} | {Pair(allCores),17} | {Pair(oneCore),15} | {Pair(simd.Stats),15} | {Pair(scalar.Stats),15} | "
            + $"{recall,9:F4} | {upsertMicroseconds,9:F1} {removeMicroseconds,9:F1} {compactMilliseconds,10:F1} | {buildSeconds,7:F2}");
        results.Append(
        [
            DateTime.Now.ToString("s", CultureInfo.InvariantCulture), Environment.ProcessorCount, size, dims, k, queries.Length,
            Round(allCores.Percentile(50)), Round(allCores.Percentile(99)), Round(oneCore.Percentile(50)), Round(oneCore.Percentile(99)),
            Round(simd.Stats.Percentile(50)), Round(simd.Stats.Percentile(99)), Round(scalar.Stats.Percentile(50)), Round(scalar.Stats.Percentile(99)),
            scalar.Stats.Count, Math.Round(recall, 5), Math.Round(upsertMicroseconds, 2), Math.Round(removeMicroseconds, 2), Math.Round(compactMilliseconds, 2),
            Math.Round(generateSeconds, 2), Math.Round(buildSeconds, 2),
        ]);
    }

    // Until tiered compilation has promoted the search path to optimised code: at least 20 searches and a second.
    private static void WarmUp(ApprovedPoolIndex index, (float[] Query, int ExcludedDomain)[] queries, RetrievalFilter[] filters, int k)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 20 || (watch.Elapsed.TotalSeconds < 1 && i < 200_000); i++)
        {
            var q = queries[i % queries.Length];
            index.Search(q.Query, k, filters[q.ExcludedDomain]);
        }
    }

    // Exact scans are slow on big pools, so each runs until its time budget is spent (at least 5 queries).
    private static (LatencyStats Stats, List<int[]> Results) Baseline(
        BenchOptions options, (float[] Query, int ExcludedDomain)[] queries, Func<(float[] Query, int ExcludedDomain), int[]> scan)
    {
        for (int i = 0; i < Math.Min(3, queries.Length); i++)
        {
            scan(queries[i]);
        }

        var stats = new LatencyStats();
        var found = new List<int[]>();
        foreach (var q in queries)
        {
            if (stats.Count >= 5 && stats.Total / 1000 > options.BaselineSeconds)
            {
                break;
            }

            found.Add(stats.Time(() => scan(q)));
        }

        return (stats, found);
    }

    private static double Recall(SyntheticPool pool, IReadOnlyList<IndexHit>[] hits, List<int[]> exactRows, int k)
    {
        int found = 0, expected = 0;
        for (int q = 0; q < exactRows.Count; q++)
        {
            var exactIds = exactRows[q].Select(row => pool.Ids[row]).ToHashSet();
            expected += Math.Min(k, exactIds.Count);
            found += hits[q].Count(hit => exactIds.Contains(hit.MemoryId));
        }

        return expected == 0 ? double.NaN : (double)found / expected;
    }

    // A new memory upserted then removed, 200 times: the occasional writer's cost (append, copy of the live set).
    private static (double UpsertMicroseconds, double RemoveMicroseconds) MeasureWrites(ApprovedPoolIndex index, SyntheticPool pool)
    {
        const int Operations = 200;
        var ids = Enumerable.Range(0, Operations).Select(_ => Guid.NewGuid()).ToArray();
        long upsertTicks = 0, removeTicks = 0;
        for (int i = 0; i < Operations; i++)
        {
            long start = Stopwatch.GetTimestamp();
            index.Upsert(pool.Memory(i % pool.Count, ids[i]));
            long middle = Stopwatch.GetTimestamp();
            index.Remove(ids[i]);
            long end = Stopwatch.GetTimestamp();
            upsertTicks += middle - start;
            removeTicks += end - middle;
        }

        double toMicroseconds = 1e6 / Stopwatch.Frequency / Operations;
        return (upsertTicks * toMicroseconds, removeTicks * toMicroseconds);
    }

    // Removes memories until a quarter of the rows are dead, which triggers compaction: returns the slowest
    // removal (the one that compacted). Runs last, as it leaves the index smaller. Compaction briefly holds old
    // and new arrays, so it is skipped when that would not fit in free memory.
    private static double MeasureCompaction(ApprovedPoolIndex index, SyntheticPool pool)
    {
        if (IndexBytes(pool.Count, pool.Dimensions) > FreeMemoryBytes() * 0.8)
        {
            return double.NaN;
        }

        double slowest = 0;
        for (int row = 0; row <= pool.Count / 4; row++)
        {
            long start = Stopwatch.GetTimestamp();
            index.Remove(pool.Ids[row]);
            slowest = Math.Max(slowest, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return slowest;
    }

    // The bench holds the pool once; the index holds it again with headroom, plus int8 codes.
    private static bool FitsInMemory(int size, int dims) =>
        (((double)size * dims * 4) + IndexBytes(size, dims)) * 1.05 < FreeMemoryBytes();

    private static double IndexBytes(int size, int dims) => size * 1.07 * dims * (4 + 1);

    // The smaller of the machine's free memory (MemAvailable counts what other processes on this shared machine
    // use; the GC's figure does not) and what the GC may still allocate, which is less under DOTNET_GCHeapHardLimit.
    private static double FreeMemoryBytes()
    {
        const string MemInfo = "/proc/meminfo";
        double gcHeadroom = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes - (double)GC.GetTotalMemory(forceFullCollection: false);
        string? line = File.Exists(MemInfo) ? File.ReadLines(MemInfo).FirstOrDefault(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal)) : null;
        return line is null
            ? gcHeadroom
            : Math.Min(gcHeadroom, double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024);
    }

    private static string Pair(LatencyStats stats) =>
        stats.Count == 0 ? "-" : $"{Format(stats.Percentile(50))} / {Format(stats.Percentile(99))}";

    private static string Format(double milliseconds) => milliseconds switch
    {
        < 1 => milliseconds.ToString("F3", CultureInfo.InvariantCulture),
        < 100 => milliseconds.ToString("F2", CultureInfo.InvariantCulture),
        _ => milliseconds.ToString("F0", CultureInfo.InvariantCulture),
    };

    private static double Round(double value) => Math.Round(value, 4);
}
