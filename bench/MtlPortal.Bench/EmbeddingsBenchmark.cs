using System.Diagnostics;
using MtlPortal.Embeddings;
using MtlPortal.Memories.Transfer;

namespace MtlPortal.Bench;

/// <summary>
/// The local embedding model in this process: one query at a time, concurrent queries (which the generator gathers
/// into shared model calls), and memories in batches, for each thread count asked. Texts are the API benchmark's
/// insight memories and task texts, each made unique so no cache helps.
/// </summary>
internal static class EmbeddingsBenchmark
{
    public static int Run(BenchOptions options)
    {
        string root = ResultsFile.RepositoryRoot();
        var (queries, querySource) = InsightCorpus.LoadQueries(root, options.Seed);
        string file = Path.Combine(Path.GetTempPath(), $"mtl-embbench-{Guid.NewGuid().ToString("N")[..12]}.jsonl");
        InsightCorpus.WriteMemories(file, 2_000, options.Seed);
        var memories = File.ReadLines(file).Select(line => MemoryRecord.Parse(line).Record!.Content.TextForEmbedding()).ToArray();
        File.Delete(file);
        var serial = 0;
        string Unique(int i) => $"{queries[i % queries.Count]} ({Interlocked.Increment(ref serial)})";

        Console.WriteLine($"Local embeddings ({LocalEmbeddingGenerator.ModelName}), in process; queries: {querySource}; memories: the API bench's insights "
            + $"(mean {memories.Average(m => m.Length):F0} characters). {Environment.ProcessorCount} cores, load average {CpuMeter.LoadAverage():F2}.");
        Console.WriteLine();
        Console.WriteLine($"{"threads",7} | {"call",4} | {"what",-34} | {"texts/s",8} | {"p50 ms",7} | {"p99 ms",7}");
        foreach (var (threads, callSize) in options.Threads.SelectMany(t => options.CallSizes.Select(c => (t, c))))
        {
            using var generator = new LocalEmbeddingGenerator(threads, queryCacheSize: 0, modelCallSize: callSize);
            var load = Stopwatch.StartNew();
            generator.WarmUpAsync().GetAwaiter().GetResult();
            Console.WriteLine($"{threads,7} | {callSize,4} | {"load + warm-up",-34} | {"",8} | {load.Elapsed.TotalMilliseconds,7:F0} |");
            for (var i = 0; i < 20; i++)
            {
                generator.GenerateAsync([Unique(i)]).GetAwaiter().GetResult();
            }

            var single = new LatencyStats();
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < options.Queries; i++)
            {
                single.Time(() => generator.GenerateAsync([Unique(i)]).GetAwaiter().GetResult());
            }

            Print(threads, callSize, "one query at a time", options.Queries / watch.Elapsed.TotalSeconds, single);
            foreach (var concurrency in options.Concurrency)
            {
                var (perSecond, latencies) = Concurrent(generator, concurrency, TimeSpan.FromSeconds(options.DurationSeconds), Unique);
                Print(threads, callSize, $"{concurrency} concurrent queries", perSecond, latencies);
            }

            var batches = new LatencyStats();
            watch.Restart();
            foreach (var batch in memories.Chunk(64))
            {
                batches.Time(() => generator.GenerateAsync(batch).GetAwaiter().GetResult());
            }

            var memoriesPerSecond = memories.Length / watch.Elapsed.TotalSeconds;
            Print(threads, callSize, "memories, batches of 64 (ms/batch)", memoriesPerSecond, batches);
            Console.WriteLine($"{"",7} | {"",4} | {$"  → 10^4 memories in {10_000 / memoriesPerSecond:F0} s",-34} |");
        }

        return 0;
    }

    private static (double PerSecond, LatencyStats Latencies) Concurrent(LocalEmbeddingGenerator generator, int concurrency, TimeSpan duration, Func<int, string> text)
    {
        var stop = Stopwatch.StartNew();
        var perWorker = new List<double>[concurrency];
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var mine = perWorker[w] = [];
            for (var i = w; stop.Elapsed < duration; i += concurrency)
            {
                var start = Stopwatch.GetTimestamp();
                await generator.GenerateAsync([text(i)]);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        })).ToArray();
        Task.WaitAll(workers);
        var latencies = new LatencyStats();
        foreach (var list in perWorker)
        {
            latencies.AddRange(list);
        }

        return (latencies.Count / stop.Elapsed.TotalSeconds, latencies);
    }

    private static void Print(int threads, int callSize, string what, double perSecond, LatencyStats latencies) =>
        Console.WriteLine($"{threads,7} | {callSize,4} | {what,-34} | {perSecond,8:F0} | {latencies.Percentile(50),7:F2} | {latencies.Percentile(99),7:F2}");
}
