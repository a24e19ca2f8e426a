using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MtlPortal.Benchmarks;
using MtlPortal.Sandbox;

namespace MtlPortal.Bench;

/// <summary>
/// Verification latency in the real sandbox: every HumanEval-X reference solution of each language, built and run
/// one at a time (the latency a single attempt sees: bubblewrap, limits, compiler, run), then all of them with the
/// sandbox's default concurrency (one per core) for throughput.
/// </summary>
internal static class SandboxBenchmark
{
    private static readonly string[] Columns = ["language", "tasks", "passed", "median_ms", "p95_ms", "max_ms", "parallel_seconds", "per_second"];

    public static int Run(BenchOptions options)
    {
        var data = options.SharedDataFolder();
        var sandboxOptions = new SandboxOptions();
        using var sandbox = new BubblewrapSandbox(Options.Create(sandboxOptions), NullLogger<BubblewrapSandbox>.Instance);
        if (sandbox.UnavailableReason is { } problem)
        {
            Console.Error.WriteLine(problem);
            return 1;
        }

        using var results = new ResultsFile(options.OutputDirectory, "sandbox", Columns);
        Console.WriteLine($"HumanEval-X reference verification in the sandbox, {Environment.ProcessorCount} cores, parallel runs at {sandboxOptions.EffectiveConcurrency} at once");
        Console.WriteLine($"{"language",-10} {"tasks",5} {"passed",6} {"median ms",10} {"p95 ms",8} {"max ms",8} {"parallel s",10} {"per s",6}");
        foreach (var language in options.Languages)
        {
            var file = Path.Combine(data, "humaneval-x", $"humaneval_{language}.jsonl.gz");
            if (!File.Exists(file))
            {
                Console.Error.WriteLine($"{file} not found (see --data).");
                return 1;
            }

            var tasks = Read(file).Take(options.Tasks).ToList();
            if (!sandbox.AvailableLanguages.Contains(tasks[0].Language))
            {
                Console.WriteLine($"{language,-10} no toolchain: {BubblewrapSandbox.ToolchainHint(tasks[0].Language)}");
                continue;
            }

            // Warm the file cache and the toolchain once, as a portal that has been running would have.
            sandbox.RunAsync(ProgramAssembly.ForReference(tasks[0])!).GetAwaiter().GetResult();
            var latency = new LatencyStats();
            var passed = 0;
            var failures = new List<string>();
            foreach (var task in tasks)
            {
                var result = latency.Time(() => sandbox.RunAsync(ProgramAssembly.ForReference(task)!).GetAwaiter().GetResult());
                passed += result.Passed ? 1 : 0;
                if (!result.Passed)
                {
                    failures.Add($"{task.TaskId} {result.Verdict}: {result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()}");
                }
            }

            var clock = Stopwatch.StartNew();
            Task.WhenAll(tasks.Select(t => sandbox.RunAsync(ProgramAssembly.ForReference(t)!))).GetAwaiter().GetResult();
            var parallel = clock.Elapsed.TotalSeconds;

            Console.WriteLine($"{language,-10} {tasks.Count,5} {passed,6} {latency.Percentile(50),10:F0} {latency.Percentile(95),8:F0} {latency.Max,8:F0} {parallel,10:F1} {tasks.Count / parallel,6:F1}");
            foreach (var failure in failures)
            {
                Console.WriteLine($"    failed: {(failure.Length > 160 ? failure[..160] : failure)}");
            }

            results.Append([language, tasks.Count, passed, latency.Percentile(50), latency.Percentile(95), latency.Max, parallel, tasks.Count / parallel]);
        }

        Console.WriteLine($"CSV: {results.Path}");
        return 0;
    }

    private static IEnumerable<BenchmarkTask> Read(string file)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(file), CompressionMode.Decompress));
        while (reader.ReadLine() is { } line)
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }

            using var record = JsonDocument.Parse(line);
            var (task, errors) = TaskParsers.Parse(BenchmarkFormat.HumanEvalX, record.RootElement, null);
            yield return task ?? throw new InvalidDataException($"{file}: {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"))}");
        }
    }
}
