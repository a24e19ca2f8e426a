using System.Text;
using System.Text.RegularExpressions;
using MtlPortal.Users;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Memories;

public class TransferPortal : KestrelPortalFactory
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CreateUserAsync("importer@example.org", [PortalRoles.Contributor], ["Agents"]);
    }
}

[Collection(BrowserCollection.Name)]
public class TransferFlowTests(BrowserFixture browser, TransferPortal portal) : IClassFixture<TransferPortal>
{
    [Fact]
    public async Task Contributor_ImportingAFileWithErrors_ReadsEachWholeMessageByItsLine()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("importer@example.org");
        await page.GotoAsync("/memories/transfer");
        await page.WaitForInteractiveAsync();

        var file = string.Join('\n',
            """{"kind":"insight","title":"Reproduce first","description":"Confirm the failure before changing code.","content":"Write a small test that shows it.","sourceDomain":"swe-bench","sourceModel":"human"}""",
            """{"kind":"recipe","title":"x","sourceDomain":"swe-bench","sourceModel":"human"}""",
            """{"kind":"insight","title":"No content","description":"A description without content.","sourceDomain":"swe-bench","sourceModel":"human"}""");
        await page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "broken.jsonl", MimeType = "application/jsonl", Buffer = Encoding.UTF8.GetBytes(file) });
        await Expect(page.GetByTestId("chosen-file")).ToHaveTextAsync("broken.jsonl");
        await page.GetByTestId("import-submit").ClickAsync();

        var grid = page.GetByTestId("import-errors");
        await Expect(page.GetByTestId("import-failed")).ToContainTextAsync("Nothing was imported: 2 error(s) in broken.jsonl");
        var unknownKind = grid.Locator("tbody tr").Filter(new() { HasText = "recipe" });
        await Expect(unknownKind.Locator("td").First).ToHaveTextAsync("2");
        var message = unknownKind.Locator("td.message-cell");
        await Expect(message).ToContainTextAsync("the kinds are insight, summary, workflow and trajectory (lower case).");

        // The whole message is on screen: wrapped inside its cell, not cut off at the cell's edge.
        var overflow = await message.EvaluateAsync<int>("cell => cell.scrollWidth - cell.clientWidth");
        Assert.True(overflow <= 0, $"the problem's cell overflows by {overflow} px");
        await page.ScreenshotAsync("transfer-errors");

        await page.SetViewportSizeAsync(390, 844);
        overflow = await message.EvaluateAsync<int>("cell => cell.scrollWidth - cell.clientWidth");
        Assert.True(overflow <= 0, $"at phone width the problem's cell overflows by {overflow} px");
        await page.ScreenshotAsync("transfer-errors-phone");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Contributor_FollowsTheFormatHelp_ToThePortalsOwnPage_AndDownloadsATemplate()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("importer@example.org");
        await page.GotoAsync("/memories/transfer");
        await page.WaitForInteractiveAsync();

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("template-link").ClickAsync());
        Assert.Equal("memory-template.jsonl", download.SuggestedFilename);
        var lines = (await File.ReadAllLinesAsync((await download.PathAsync())!)).Where(l => l.Length > 0).ToList();
        Assert.Equal(["\"kind\":\"insight\"", "\"kind\":\"summary\"", "\"kind\":\"workflow\"", "\"kind\":\"trajectory\""], lines.Select(l => Regex.Match(l, "\"kind\":\"[a-z]+\"").Value));

        await page.GetByTestId("format-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/memories/format$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Memory JSONL: the import and export format", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("format-document").Locator("table").First).ToContainTextAsync("sourceDomain");
        await page.ScreenshotAsync("memory-format");
        await page.SetViewportSizeAsync(390, 844);
        await page.ScreenshotAsync("memory-format-phone");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
