using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Auditing;
using MtlPortal.Benchmarks;
using MtlPortal.IntegrationTests.Transfer;
using MtlPortal.Sandbox;

namespace MtlPortal.IntegrationTests.Benchmarks;

/// <summary>The shared datasets' reference solutions pass in the real sandbox, and empty answers do not.</summary>
public class ReferenceVerificationTests(BenchmarkPortal portal) : IClassFixture<BenchmarkPortal>
{
    private static string HumanEvalX(string language) => SharedData.PathOf($"humaneval-x/humaneval_{language}.jsonl.gz");

    private ReferenceVerifier Verifier => portal.Services.GetRequiredService<ReferenceVerifier>();

    [Fact]
    public async Task ImportWithVerify_HumanEvalXPython_All164ReferencesPassAndEmptyBodiesFail()
    {
        var (exit, output, error) = await portal.CliAsync("import-benchmark", HumanEvalX("python"), "--format", "humaneval-x", "--name", "hx-python", "--verify");

        Assert.True(exit == 0, error + output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("verified 164/164", StringComparison.Ordinal));
        Assert.Equal("Verified 'hx-python': 164 of 164 references pass.", lines[^1]);
        var tasks = await portal.TasksAsync("hx-python");
        Assert.All(tasks, t => Assert.True(t is { ReferencePassed: true, ReferenceVerdict: SandboxVerdict.Passed, ReferenceCheckedAt: not null }, t.TaskId + ": " + t.ReferenceOutput));

        var empty = await portal.RunAllAsync(tasks.Select(t => ProgramAssembly.ForAnswer(t, "")));
        Assert.All(empty.Zip(tasks), r => Assert.True(r.First.Verdict == SandboxVerdict.Failed, $"{r.Second.TaskId}: {r.First.Verdict}\n{r.First.Output}"));
    }

    [Fact]
    public async Task VerifyAsync_MbppSanitized_EveryReferencePassesAndEmptyAnswersFail()
    {
        var imported = await portal.ImportAsync(SharedData.PathOf("mbpp/sanitized-mbpp.json"), new BenchmarkImportOptions("mbpp-sanitized", BenchmarkFormat.MbppSanitized, "sanitized-mbpp.json"));
        Assert.True(imported.Succeeded, string.Join("\n", imported.Errors));

        var summary = await Verifier.VerifyAsync("mbpp-sanitized", AuditTrail.CliActor);

        Assert.NotNull(summary);
        Assert.True(summary.Failed.Count == 0, string.Join("\n", summary.Failed));
        Assert.Equal((427, 427), (summary.Verified, summary.Passed));
        var tasks = await portal.TasksAsync("mbpp-sanitized");
        var sample = tasks.Where((_, i) => i % 10 == 0).ToList();
        var empty = await portal.RunAllAsync(sample.Select(t => ProgramAssembly.ForAnswer(t, "")));
        Assert.All(empty, r => Assert.Equal(SandboxVerdict.Failed, r.Verdict));
    }

    [Fact]
    public async Task VerifyAsync_MbppFullEveryTenthTask_ReferencesPass()
    {
        var lines = (await File.ReadAllLinesAsync(SharedData.PathOf("mbpp/mbpp.jsonl"))).Where((_, i) => i % 10 == 0);
        var imported = await portal.ImportTextAsync(string.Join("\n", lines), new BenchmarkImportOptions("mbpp-sample", BenchmarkFormat.Mbpp, "mbpp.jsonl"));
        Assert.True(imported.Succeeded, string.Join("\n", imported.Errors));

        var summary = await Verifier.VerifyAsync("mbpp-sample", AuditTrail.CliActor);

        Assert.True(summary!.Failed.Count == 0, string.Join("\n", summary.Failed));
        Assert.Equal(98, summary.Passed);
    }

    [Theory]
    [InlineData("cpp")]
    [InlineData("java")]
    [InlineData("js")]
    [InlineData("go")]
    [InlineData("rust")]
    public async Task VerifyAsync_HumanEvalXFirstTasksInEachLanguage_ReferencesPassAndEmptyBodiesDoNot(string language)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(HumanEvalX(language)), CompressionMode.Decompress));
        var first = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(6);
        var name = "hx-sample-" + language;
        var imported = await portal.ImportTextAsync(string.Join("\n", first), new BenchmarkImportOptions(name, BenchmarkFormat.HumanEvalX, language));
        Assert.True(imported.Succeeded, string.Join("\n", imported.Errors));

        var summary = await Verifier.VerifyAsync(name, AuditTrail.CliActor);

        var tasks = await portal.TasksAsync(name);
        Assert.True(summary!.Passed == 6, string.Join("\n---\n", tasks.Where(t => t.ReferencePassed != true).Select(t => $"{t.TaskId} {t.ReferenceVerdict}\n{t.ReferenceOutput}")));
        var empty = await portal.RunAllAsync(tasks.Select(t => ProgramAssembly.ForAnswer(t, "}\n")));
        Assert.All(empty, r => Assert.NotEqual(SandboxVerdict.Passed, r.Verdict));
    }

    [Fact]
    public async Task VerifyAsync_AFailingReference_IsFlaggedWithItsOutputAndLeftOutOfRunsByDefault()
    {
        var text = """
            {"id": "right", "language": "python", "prompt": "Write double(x).", "entry_point": "double", "tests": "assert double(2) == 4", "reference": "def double(x):\n    return 2 * x\n"}
            {"id": "wrong", "language": "python", "prompt": "Write triple(x).", "entry_point": "triple", "tests": "assert triple(2) == 6, 'triple(2) should be 6'", "reference": "def triple(x):\n    return 2 * x\n"}
            {"id": "none", "language": "python", "prompt": "Write half(x).", "entry_point": "half", "tests": "assert half(4) == 2"}
            """;
        Assert.True((await portal.ImportTextAsync(text, new BenchmarkImportOptions("own-tasks", BenchmarkFormat.Tasks, "inline.jsonl"))).Succeeded);

        var (exit, output, error) = await portal.CliAsync("verify-references", "own-tasks");

        Assert.True(exit == 0, error);
        Assert.Contains("  wrong: Failed", output);
        Assert.Contains("Verified 'own-tasks': 1 of 2 references pass; the 1 failing task(s) are left out of runs by default; 1 task(s) have no reference.", output);
        var tasks = (await portal.TasksAsync("own-tasks")).ToDictionary(t => t.TaskId);
        Assert.True(tasks["right"] is { ReferencePassed: true, IncludedByDefault: true });
        Assert.True(tasks["wrong"] is { ReferencePassed: false, ReferenceVerdict: SandboxVerdict.Failed, IncludedByDefault: false });
        Assert.Contains("triple(2) should be 6", tasks["wrong"].ReferenceOutput);
        Assert.True(tasks["none"] is { ReferencePassed: null, IncludedByDefault: true });
        await using var db = await portal.DbAsync();
        var benchmark = await db.Benchmarks.SingleAsync(b => b.Name == "own-tasks");
        Assert.NotNull(benchmark.VerifiedAt);
        Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == ReferenceVerifier.VerifiedAction && a.EntityId == benchmark.Id.ToString()));
    }

    [Fact]
    public async Task VerifyAsync_Cancelled_KeepsTheResultsItFinished()
    {
        var lines = (await File.ReadAllLinesAsync(SharedData.PathOf("mbpp/mbpp.jsonl"))).Take(60);
        Assert.True((await portal.ImportTextAsync(string.Join("\n", lines), new BenchmarkImportOptions("mbpp-cancel", BenchmarkFormat.Mbpp, "mbpp.jsonl"))).Succeeded);
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress<VerificationProgress>(p =>
        {
            if (p.Done >= 5)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Verifier.VerifyAsync("mbpp-cancel", AuditTrail.CliActor, progress, cancel.Token));

        var tasks = await portal.TasksAsync("mbpp-cancel");
        Assert.InRange(tasks.Count(t => t.ReferencePassed is not null), 5, 59);
        await using var db = await portal.DbAsync();
        Assert.Null((await db.Benchmarks.SingleAsync(b => b.Name == "mbpp-cancel")).VerifiedAt);
    }

    [Fact]
    public async Task ImportWithVerify_TheDocumentedExampleTasks_ImportAndPass()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "MtlPortal.sln")))
        {
            root = Path.GetDirectoryName(root)!;
        }

        var examples = File.ReadAllLines(Path.Combine(root, "docs", "benchmark-jsonl.md")).Where(l => l.StartsWith("{\"id\"", StringComparison.Ordinal)).ToList();
        var path = Path.Combine(portal.Folder, "examples.jsonl");
        await File.WriteAllLinesAsync(path, examples);

        var (exit, output, error) = await portal.CliAsync("import-benchmark", path, "--format", "tasks", "--name", "doc-examples", "--verify");

        Assert.True(exit == 0, error);
        Assert.Equal(2, examples.Count);
        Assert.EndsWith("Verified 'doc-examples': 2 of 2 references pass.\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyReferences_UnknownBenchmark_SaysSo()
    {
        var (exit, _, error) = await portal.CliAsync("verify-references", "no-such-benchmark");

        Assert.Equal(1, exit);
        Assert.Equal("error: there is no benchmark named 'no-such-benchmark'.", error.Trim());
    }
}
