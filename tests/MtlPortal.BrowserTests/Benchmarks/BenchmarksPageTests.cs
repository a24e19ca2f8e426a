using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using MtlPortal.Users;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Benchmarks;

public class BenchmarksPortal : KestrelPortalFactory
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CreateUserAsync("lead@example.org", [PortalRoles.Manager], ["Alpha"]);
        await CreateUserAsync("reader@example.org", [PortalRoles.Contributor], ["Alpha"]);
    }
}

[Collection(BrowserCollection.Name)]
public class BenchmarksPageTests(BrowserFixture browser, BenchmarksPortal portal) : IClassFixture<BenchmarksPortal>
{
    /// <summary>The first <paramref name="count"/> records of the shared HumanEval-X Python file, gzip-compressed again.</summary>
    private static byte[] HumanEvalXPython(int count)
    {
        using var file = File.OpenRead(SharedData.PathOf("humaneval-x", "humaneval_python.jsonl.gz"));
        using var reader = new StreamReader(new GZipStream(file, CompressionMode.Decompress));
        var lines = Enumerable.Range(0, count).Select(_ => reader.ReadLine()!).ToList();
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        }

        return output.ToArray();
    }

    [Fact]
    public async Task Manager_ImportsASmallHumanEvalXFile_VerifiesItsReferences_AndBrowsesItsTasks()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("lead@example.org");
        await page.GetByRole(AriaRole.Link, new() { Name = "Benchmarks" }).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/benchmarks$"));
        await page.WaitForInteractiveAsync();

        await page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "humaneval_python.jsonl.gz", MimeType = "application/gzip", Buffer = HumanEvalXPython(3) });
        await Expect(page.GetByTestId("benchmark-chosen-file")).ToHaveTextAsync("humaneval_python.jsonl.gz");
        await page.GetByTestId("benchmark-format").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "HumanEval-X" }).ClickAsync();
        await page.GetByTestId("benchmark-name").FillAsync("hx-python-3");
        await page.GetByTestId("benchmark-import").ClickAsync();
        await Expect(page.GetByTestId("benchmark-import-done")).ToContainTextAsync("Imported: 3 tasks from humaneval_python.jsonl.gz");

        var row = page.GetByTestId("benchmarks-grid").Locator("tr").Filter(new() { HasText = "hx-python-3" });
        await Expect(row.GetByTestId("benchmark-tasks")).ToHaveTextAsync("3");
        await Expect(row.GetByTestId("benchmark-references")).ToHaveTextAsync("3 not verified");
        await page.ScreenshotAsync("benchmarks");

        await row.GetByTestId("verify-references").ClickAsync();
        await Expect(page.GetByTestId("verify-done")).ToContainTextAsync("hx-python-3: 3 of 3 references passed.", new() { Timeout = 60_000 });
        await Expect(row.GetByTestId("benchmark-references")).ToHaveTextAsync("3 of 3 verified: 3 passed, 0 failed");

        await row.GetByTestId("benchmark-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/benchmarks/[0-9a-f-]{36}$"));
        await Expect(page.GetByTestId("task-link")).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("task-reference")).ToHaveTextAsync(["passed", "passed", "passed"]);
        await page.ScreenshotAsync("benchmark-tasks");
        await page.Locator("[data-testid=task-link][data-task='Python/0']").ClickAsync();
        var dialog = page.GetByTestId("task-dialog");
        await Expect(dialog.GetByTestId("task-prompt")).ToContainTextAsync("def has_close_elements");
        await Expect(dialog.GetByTestId("task-tests")).ToContainTextAsync("check(has_close_elements)");
        await Expect(dialog.GetByTestId("task-dialog-reference")).ToHaveTextAsync("Reference: passed");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Reader_SeesTheBenchmarks_WithoutImportOrVerify()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors, PageExtensions.Phone);
        await page.SignInAsync("reader@example.org");
        await page.GotoAsync("/benchmarks");
        await page.WaitForInteractiveAsync();

        await Expect(page.GetByTestId("benchmarks-grid")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("benchmark-import-card")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("verify-references")).ToHaveCountAsync(0);
        await page.ScreenshotAsync("benchmarks-phone");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
