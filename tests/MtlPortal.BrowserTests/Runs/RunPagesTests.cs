using System.Text.RegularExpressions;
using MtlPortal.Runs;
using MtlPortal.Users;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Runs;

/// <summary>
/// A portal with its job server and a stand-in model server as <c>Llm:*</c>: it answers task 0 correctly and task 1
/// wrongly, so every condition's pass@k is exactly 1/2 once the real engine has recorded the run.
/// </summary>
public sealed class RunPagesPortal() : StandInModelPortalFactory(kestrel: true)
{
    public Guid RunId { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Llm.Reply = messages => Answer(TaskNumber(messages) == 0 ? 0 : 42);
        await CreateUserAsync("reader@example.org", [PortalRoles.Contributor], ["Alpha"]);
        await CreateUserAsync("lead@example.org", [PortalRoles.Manager], ["Alpha"]);
        await BenchmarkAsync("toy-python", tasks: 2);
        RunId = (await StartRunAsync(new RunRequest { Benchmark = "toy-python", Conditions = ["zero-shot", "insight"], Attempts = 2, Query = RetrievalQuery.Task }, AdminId)).Id;
        await FinishedAsync(RunId);
    }
}

/// <summary>A run recorded by the real engine, as anyone signed in reads it in the browser.</summary>
[Collection(BrowserCollection.Name)]
public class RunPagesTests(BrowserFixture browser, RunPagesPortal portal) : IClassFixture<RunPagesPortal>
{
    [Fact]
    public async Task Contributor_OpensAFinishedRunFromTheList_SeesPassAtKVerdictsAndAnAttempt()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("reader@example.org");

        await page.GotoAsync("/runs");
        await page.WaitForInteractiveAsync();
        var row = page.GetByTestId("runs-grid").Locator("tr").Filter(new() { HasText = "toy-python" });
        await Expect(row.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", "completed");
        await Expect(row).ToContainTextAsync("8 / 8 attempts");
        await Expect(page.GetByTestId("new-run")).ToHaveCountAsync(0);

        await row.GetByTestId("run-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/runs/{portal.RunId}$"));
        var passAtK = page.GetByTestId("pass-at-k");
        foreach (var condition in new[] { "zero-shot", "insight" })
        {
            var line = passAtK.Locator($"tr[data-condition={condition}]");
            await Expect(line.Locator("td[data-k='1']")).ToHaveTextAsync("0.500");
            await Expect(line.Locator("td[data-k='2']")).ToHaveTextAsync("0.500");
        }

        await Expect(page.GetByTestId("run-pool")).ToContainTextAsync("domains left out: toy-python");
        await Expect(page.GetByTestId("cancel-run")).ToHaveCountAsync(0);
        var task1 = page.Locator("[data-testid=verdict-row][data-task='T/1'] [data-testid=verdict]");
        await Expect(task1).ToHaveCountAsync(4);
        await Expect(page.Locator("[data-testid=verdict-row][data-task='T/0'] [data-testid=verdict][data-verdict=passed]")).ToHaveCountAsync(4);

        await task1.First.ClickAsync();
        var dialog = page.GetByTestId("attempt-dialog");
        await Expect(dialog.GetByTestId("attempt-verdict")).ToHaveTextAsync("failed");
        await Expect(dialog.GetByTestId("attempt-program")).ToContainTextAsync("return 42");
        await Expect(dialog.GetByTestId("attempt-user-prompt")).ToContainTextAsync("Task 1:");
        await Expect(dialog.GetByTestId("attempt-output")).Not.ToBeEmptyAsync();

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Manager_StartsARunFromTheNewRunPage_WithEveryField_BadInputSaidBesideItsField_AndLandsOnItsPage()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("lead@example.org");
        await page.GotoAsync("/runs");
        await page.WaitForInteractiveAsync();
        await page.GetByTestId("new-run").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/runs/new$"));
        await page.WaitForInteractiveAsync();

        await page.GetByTestId("benchmark").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "toy-python" }).ClickAsync();
        // Two tasks, a plan each, then 2 tasks × 2 conditions × 3 attempts.
        await Expect(page.GetByTestId("estimate")).ToContainTextAsync("About 14 model calls");
        await Expect(page.GetByTestId("excluded-domain")).ToHaveTextAsync(["toy-python"]);
        await page.ScreenshotAsync("new-run");

        await page.GetByTestId("temperature").FillAsync("3");
        await page.GetByTestId("max-output-tokens").FillAsync("256");
        await page.GetByTestId("new-domain").FillAsync("mbpp");
        await page.GetByTestId("add-domain").ClickAsync();
        await page.GetByTestId("max-tokens").FillAsync("100000");
        await page.GetByTestId("max-tokens").PressAsync("Tab");
        await page.GetByTestId("start-run").ClickAsync();
        await Expect(page.Locator(".mud-input-control").Filter(new() { Has = page.GetByTestId("temperature") })).ToContainTextAsync("temperature is between 0 and 2.");
        await Expect(page).ToHaveURLAsync(new Regex("/runs/new$"));

        await page.GetByTestId("temperature").FillAsync("0.2");
        await page.GetByTestId("temperature").PressAsync("Tab");
        await page.GetByTestId("start-run").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/runs/[0-9a-f-]{36}$"));
        await Expect(page.GetByTestId("run-pool")).ToContainTextAsync("domains left out: toy-python, mbpp");
        await Expect(page.GetByTestId("run-model-settings")).ToContainTextAsync("temperature 0.2 · at most 256 output tokens per call · stops at 100,000 tokens");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task NewRunPage_OnAPhone_KeepsEveryFieldWithinTheScreen()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors, PageExtensions.Phone);
        await page.SignInAsync("lead@example.org");
        await page.GotoAsync("/runs/new");
        await page.WaitForInteractiveAsync();
        await page.GetByTestId("benchmark").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "toy-python" }).ClickAsync();

        var overflow = await page.GetByTestId("new-run-form").EvaluateAsync<int>("form => form.scrollWidth - form.clientWidth");
        Assert.True(overflow <= 0, $"the form overflows the phone's width by {overflow} px");
        await page.ScreenshotAsync("new-run-phone");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
