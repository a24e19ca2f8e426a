using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Benchmarks;
using MtlPortal.Sandbox;

namespace MtlPortal.IntegrationTests.Benchmarks;

public class BenchmarkImportTests(BenchmarkPortal portal) : IClassFixture<BenchmarkPortal>
{
    private static string HumanEvalX(string language) => SharedData.PathOf($"humaneval-x/humaneval_{language}.jsonl.gz");

    private static List<string> Lines(string gzPath)
    {
        using var gzip = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private string WriteGz(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(portal.Folder, name);
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gzip.Write(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
        return path;
    }

    [Fact]
    public async Task ImportBenchmark_HumanEvalXPythonFromSharedData_Imports164TasksWithProgressAndAudit()
    {
        var (exit, output, error) = await portal.CliAsync("import-benchmark", HumanEvalX("python"), "--format", "humaneval-x", "--name", "humaneval-x-python");

        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("checked 164/164", lines);
        Assert.Equal("Imported benchmark 'humaneval-x-python' with 164 tasks.", lines[^1]);
        var tasks = await portal.TasksAsync("humaneval-x-python");
        Assert.Equal(164, tasks.Count);
        Assert.All(tasks, t => Assert.Equal((SandboxLanguage.Python, AnswerStyle.Completion), (t.Language, t.Style)));
        Assert.All(tasks, t => Assert.Null(t.ReferencePassed));
        Assert.Equal(("Python/0", "has_close_elements"), (tasks[0].TaskId, tasks[0].EntryPoint));
        Assert.EndsWith("check(has_close_elements)\n", tasks[0].Tests, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 164), tasks.Select(t => t.Ordinal));
        await using var db = await portal.DbAsync();
        var benchmark = await db.Benchmarks.SingleAsync(b => b.Name == "humaneval-x-python");
        var audit = await db.AuditEntries.SingleAsync(a => a.EntityId == benchmark.Id.ToString());
        Assert.Equal((BenchmarkImporter.ImportedAction, "[cli]"), (audit.Action, audit.Actor));
        Assert.Contains("\"tasks\":164", audit.Details);
    }

    [Theory]
    [InlineData("cpp", SandboxLanguage.Cpp, "has_close_elements")]
    [InlineData("java", SandboxLanguage.Java, "hasCloseElements")]
    [InlineData("js", SandboxLanguage.JavaScript, "hasCloseElements")]
    [InlineData("go", SandboxLanguage.Go, "HasCloseElements")]
    [InlineData("rust", SandboxLanguage.Rust, "has_close_elements")]
    public async Task ImportAsync_HumanEvalXInEachLanguage_TakesTheLanguageFromTheTaskIds(string file, SandboxLanguage language, string firstEntryPoint)
    {
        var name = "humaneval-x-" + file;
        var result = await portal.ImportAsync(HumanEvalX(file), new BenchmarkImportOptions(name, BenchmarkFormat.HumanEvalX, file));

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var tasks = await portal.TasksAsync(name);
        Assert.Equal(164, tasks.Count);
        Assert.All(tasks, t => Assert.Equal(language, t.Language));
        Assert.Equal(firstEntryPoint, tasks[0].EntryPoint);
        Assert.All(tasks, t => Assert.NotNull(t.ReferenceSolution));
    }

    [Fact]
    public async Task ImportAsync_MbppFullAndSanitized_ImportEveryTaskAsStandalonePython()
    {
        var full = await portal.ImportAsync(SharedData.PathOf("mbpp/mbpp.jsonl"), new BenchmarkImportOptions("mbpp", BenchmarkFormat.Mbpp, "mbpp.jsonl"));
        var sanitized = await portal.ImportAsync(SharedData.PathOf("mbpp/sanitized-mbpp.json"), new BenchmarkImportOptions("mbpp-sanitized", BenchmarkFormat.MbppSanitized, "sanitized-mbpp.json"));

        Assert.True(full.Succeeded, string.Join("\n", full.Errors));
        Assert.True(sanitized.Succeeded, string.Join("\n", sanitized.Errors));
        Assert.Equal((974, 427), (full.Imported, sanitized.Imported));
        var tasks = await portal.TasksAsync("mbpp");
        Assert.Equal(("Mbpp/1", "min_cost"), (tasks[0].TaskId, tasks[0].EntryPoint));
        Assert.All(tasks, t => Assert.Equal(AnswerStyle.Standalone, t.Style));
        Assert.Contains("Your code should pass these tests:", tasks[0].Prompt);
        Assert.Contains("assert min_cost(", tasks[0].Prompt);
    }

    [Fact]
    public async Task ImportBenchmark_BadRecordsInARealFile_NamesEachLineAndImportsNothing()
    {
        var lines = Lines(HumanEvalX("python"));
        var missingTest = JsonNode.Parse(lines[2])!.AsObject();
        missingTest.Remove("test");
        lines[2] = missingTest.ToJsonString();
        lines[4] = lines[4][..40];
        var wrongType = JsonNode.Parse(lines[99])!.AsObject();
        wrongType["prompt"] = 17;
        lines[99] = wrongType.ToJsonString();
        lines[120] = lines[0];
        var path = WriteGz("broken.jsonl.gz", lines);
        var before = await portal.BenchmarkCountAsync();

        var (exit, output, error) = await portal.CliAsync("import-benchmark", path, "--format", "humaneval-x", "--name", "broken");

        Assert.Equal(1, exit);
        var errors = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("line 3: test: \"test\" is required.", errors[0]);
        Assert.StartsWith("line 5: The line is not valid JSON", errors[1], StringComparison.Ordinal);
        Assert.Equal("line 100: prompt: \"prompt\" must be a string.", errors[2]);
        Assert.Equal("line 121: task_id: 'Python/0' is already the id of the task on line 1.", errors[3]);
        Assert.Equal("Nothing was imported: 4 error(s).", errors[^1]);
        Assert.DoesNotContain("Imported", output);
        Assert.Equal(before, await portal.BenchmarkCountAsync());
    }

    [Fact]
    public async Task ImportAsync_SanitizedArrayWithABadTask_NamesTheLineTheTaskStartsOn()
    {
        var text = """
            [
                {"task_id": 1, "prompt": "Add two numbers.", "code": "def add(a, b):\n    return a + b", "test_imports": [], "test_list": ["assert add(1, 2) == 3"]},
                {
                    "task_id": 2,
                    "prompt": "Subtract.",
                    "code": "def sub(a, b):\n    return a - b",
                    "test_list": "assert sub(3, 2) == 1"
                }
            ]
            """;

        var result = await portal.ImportTextAsync(text, new BenchmarkImportOptions("sanitized-bad", BenchmarkFormat.MbppSanitized, "inline.json"));

        Assert.False(result.Succeeded);
        Assert.Equal("line 3: test_list: \"test_list\" must be a list of strings.", Assert.Single(result.Errors).ToString());
        Assert.Equal(0, await portal.BenchmarkCountAsync(name: "sanitized-bad"));
    }

    [Fact]
    public async Task ImportAsync_ExistingName_IsRefusedUnlessReplaceIsAsked()
    {
        var lines = Lines(HumanEvalX("python"));
        var first = await portal.ImportTextAsync(string.Join("\n", lines.Take(3)), new BenchmarkImportOptions("twice", BenchmarkFormat.HumanEvalX, "a"));
        Assert.True(first.Succeeded, string.Join("\n", first.Errors));

        var refused = await portal.ImportTextAsync(string.Join("\n", lines.Take(5)), new BenchmarkImportOptions("TWICE", BenchmarkFormat.HumanEvalX, "b"));
        var replaced = await portal.ImportTextAsync(string.Join("\n", lines.Take(5)), new BenchmarkImportOptions("twice", BenchmarkFormat.HumanEvalX, "c", Replace: true));

        Assert.Equal("name: There is already a benchmark named 'twice' (3 tasks); choose another name, or replace it (--replace).", Assert.Single(refused.Errors).ToString());
        Assert.True(replaced is { Succeeded: true, Replaced: true, Imported: 5 });
        Assert.Equal(5, (await portal.TasksAsync("twice")).Count);
        await using var db = await portal.DbAsync();
        Assert.Equal(1, await db.Benchmarks.CountAsync(b => b.Name == "twice"));
        Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == BenchmarkImporter.ReplacedAction && a.EntityId == replaced.BenchmarkId!.Value.ToString()));
    }

    [Fact]
    public async Task ImportAsync_OwnTaskFormat_ChecksLanguageStyleAndRequiredFields()
    {
        var text = """
            {"id": "ok-1", "language": "python", "prompt": "Write double(x).", "entry_point": "double", "tests": "assert double(2) == 4", "reference": "def double(x):\n    return 2 * x\n"}
            {"id": "bad-lang", "language": "cobol", "prompt": "p", "entry_point": "f", "tests": "t"}
            {"id": "bad-style", "language": "go", "style": "completion", "prompt": "p", "entry_point": "F", "tests": "t"}
            {"id": "no-tests", "language": "js", "prompt": "p", "entry_point": "f"}
            """;

        var result = await portal.ImportTextAsync(text, new BenchmarkImportOptions("own-bad", BenchmarkFormat.Tasks, "inline.jsonl"));

        Assert.Equal(
        [
            "line 2: language: 'cobol' is not one of: python, javascript, java, cpp, rust, go.",
            "line 3: preamble: A completion task needs the preamble its answers continue (the signature, at least).",
            "line 4: tests: \"tests\" is required.",
        ], result.Errors.Select(e => e.ToString()));
        Assert.Equal(0, await portal.BenchmarkCountAsync(name: "own-bad"));
    }
}
