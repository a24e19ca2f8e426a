using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Benchmarks;
using MtlPortal.Memories.Transfer;
using MtlPortal.Sandbox;
using MtlPortal.Web.Components.Benchmarks;
using MudBlazor;

namespace MtlPortal.ComponentTests.Benchmarks;

public class BenchmarkComponentsTests : MudTestContext
{
    private static readonly DateTimeOffset Imported = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static BenchmarkSummary Summary(string name, int tasks, int verified, int passed, int failed, int withoutReference = 0) =>
        new(Guid.NewGuid(), name, BenchmarkFormat.HumanEvalX, [SandboxLanguage.Python], tasks, verified, passed, failed, withoutReference, Imported, verified > 0 ? Imported : null);

    [Fact]
    public void Table_ShowsTaskCountsAndReferenceResults_AndVerifyButtonsOnlyForThoseWhoAct()
    {
        IReadOnlyList<BenchmarkSummary> items = [Summary("humaneval-x-python", 164, 164, 163, 1), Summary("fresh", 10, 0, 0, 0), Summary("no-refs", 4, 0, 0, 0, withoutReference: 4)];
        BenchmarkSummary? verified = null;

        var reader = Render<BenchmarkTable>(p => p.Add(t => t.Items, items).Add(t => t.CanAct, false));
        Assert.Empty(reader.FindAll("[data-testid=verify-references]"));
        var references = reader.FindAll("[data-testid=benchmark-references]").Select(e => e.TextContent).ToList();
        Assert.Equal(["164 of 164 verified: 163 passed, 1 failed", "10 not verified", "none to verify"], references);
        Assert.Equal(["164", "10", "4"], reader.FindAll("[data-testid=benchmark-tasks]").Select(e => e.TextContent));

        var manager = Render<BenchmarkTable>(p => p.Add(t => t.Items, items).Add(t => t.CanAct, true).Add(t => t.OnVerify, b => verified = b));
        var buttons = manager.FindAll("[data-testid=verify-references]");
        Assert.Equal(2, buttons.Count);
        buttons[1].Click();
        Assert.Equal("fresh", verified?.Name);
    }

    [Fact]
    public void ImportForm_SubmittedWithoutFileFormatOrName_SaysWhatIsMissingBesideEachField_AndImportsNothing()
    {
        var imports = 0;
        var form = Render<BenchmarkImportForm>(p => p.Add(f => f.Import, (_, _, _, _) =>
        {
            imports++;
            return Task.FromResult(BenchmarkImportResult.Failed("unexpected"));
        }));

        form.Find("form").Submit();

        Assert.Equal("Choose the benchmark file.", form.Find("[data-testid=file-error]").TextContent);
        Assert.Contains("Choose the file's format.", form.Markup);
        Assert.Contains("Name the benchmark; the name is also its domain.", form.Markup);
        Assert.Equal(0, imports);
    }

    [Fact]
    public async Task ImportForm_ChosenFile_NamesTheBenchmarkAfterIt_AndARefusedFileListsItsErrorsByLine()
    {
        BenchmarkImportOptions? asked = null;
        string? content = null;
        var form = Render<BenchmarkImportForm>(p => p.Add(f => f.Import, (stream, options, _, _) =>
        {
            asked = options;
            content = new StreamReader(stream).ReadToEnd();
            return Task.FromResult(BenchmarkImportResult.Failed([new ImportError(3, "test", "The test is empty."), new ImportError(1, "prompt", "prompt is missing.")]));
        }));

        form.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("{\"task_id\": \"Python/0\"}\n", "humaneval_python.jsonl.gz"));
        var format = form.FindComponent<MudSelect<BenchmarkFormat?>>();
        await form.InvokeAsync(() => format.Instance.ValueChanged.InvokeAsync(BenchmarkFormat.HumanEvalX));
        form.Find("form").Submit();

        form.WaitForAssertion(() => Assert.NotNull(form.Find("[data-testid=benchmark-import-failed]")));
        Assert.Equal(new BenchmarkImportOptions("humaneval_python", BenchmarkFormat.HumanEvalX, "humaneval_python.jsonl.gz"), asked);
        Assert.Equal("{\"task_id\": \"Python/0\"}\n", content);
        Assert.Contains("Nothing was imported: 2 error(s) in humaneval_python.jsonl.gz", form.Find("[data-testid=benchmark-import-failed]").TextContent);
        var lines = form.FindAll("[data-testid=benchmark-import-errors] tbody tr").Select(r => r.QuerySelector("td")!.TextContent.Trim()).ToList();
        Assert.Equal(["1", "3"], lines);
    }

    [Fact]
    public async Task TaskDialog_ShowsPromptTestsAndTheReferenceWithItsFailedVerdict()
    {
        var task = new BenchmarkTask
        {
            TaskId = "Python/7", Language = SandboxLanguage.Python, EntryPoint = "add", Prompt = "def add(a, b):\n    \"\"\"Add.\"\"\"\n",
            Tests = "assert add(1, 2) == 3\n", ReferenceSolution = "    return a - b\n", ReferencePassed = false, ReferenceVerdict = SandboxVerdict.Failed,
            ReferenceOutput = "AssertionError", ReferenceCheckedAt = Imported,
        };
        var provider = Render<MudDialogProvider>();
        var parameters = new DialogParameters<BenchmarkTaskDialog> { { d => d.Task, task } };
        await provider.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<BenchmarkTaskDialog>(null, parameters));

        Assert.Equal(task.Prompt, provider.WaitForElement("[data-testid=task-prompt]").TextContent);
        Assert.Equal(task.Tests, provider.Find("[data-testid=task-tests]").TextContent);
        Assert.Equal(task.ReferenceSolution, provider.Find("[data-testid=task-reference-solution]").TextContent);
        Assert.Equal("AssertionError", provider.Find("[data-testid=task-reference-output]").TextContent);
        Assert.Equal("Reference: failed", provider.Find("[data-testid=task-dialog-reference]").TextContent.Trim());
        Assert.Contains("left out of runs by default", provider.Markup);
    }
}
