using System.Text.RegularExpressions;
using MtlPortal.Runs;
using MtlPortal.Users;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Dashboards;

/// <summary>
/// A run recorded by the real engine against a stand-in model that solves task 0 only with the approved insight in its
/// prompt, task 1 only without it, and task 2 always: insight against zero-shot flips T/0 up and T/1 down.
/// </summary>
public sealed class DashboardPagesPortal() : StandInModelPortalFactory(kestrel: true)
{
    private const string Helpful = "Check the returned number against the task";

    public Guid RunId { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Llm.Reply = messages =>
        {
            var task = TaskNumber(messages);
            var withMemory = messages.First(m => m.Role == "system").Content.Contains(Helpful, StringComparison.Ordinal);
            var solved = task == 2 || (task == 0) == withMemory;
            return Answer(solved ? task : 42);
        };
        var manager = await CreateUserAsync("lead@example.org", [PortalRoles.Manager, PortalRoles.Contributor], ["Alpha"]);
        await BenchmarkAsync("toy-python", tasks: 3);
        await ApprovedInsightAsync(manager, Helpful, "Check the returned number against the task before answering.", "other-domain");
        RunId = (await StartRunAsync(new RunRequest { Benchmark = "toy-python", Conditions = ["zero-shot", "insight"], Attempts = 2, Query = RetrievalQuery.Task }, AdminId)).Id;
        await FinishedAsync(RunId);
    }
}

[Collection(BrowserCollection.Name)]
public class DashboardPagesTests(BrowserFixture browser, DashboardPagesPortal portal) : IClassFixture<DashboardPagesPortal>
{
    [Fact]
    public async Task Manager_OpensARunFromDashboards_ReadsTheComparison_SeesChartsDrawn_AndOpensAFlippedAttempt()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("lead@example.org");
        await page.GotoAsync("/dashboards");
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("link-impact")).ToHaveAttributeAsync("href", "dashboards/impact");
        await Expect(page.GetByTestId("link-pool")).ToHaveAttributeAsync("href", "dashboards/pool");
        await page.ScreenshotAsync("dashboards-1400");

        await page.GetByTestId("dashboard-run").GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "toy-python" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/dashboards/runs/{portal.RunId}$"));
        var insight = page.GetByTestId("paired-table").Locator("tr[data-condition=insight]");
        await Expect(insight.GetByTestId("improved")).ToHaveTextAsync("1");
        await Expect(insight.GetByTestId("regressed")).ToHaveTextAsync("1");
        await Expect(insight.GetByTestId("delta")).ToContainTextAsync("0.000");
        await Expect(insight.GetByTestId("mcnemar")).ToHaveTextAsync("1.000");
        await Expect(page.Locator("[data-testid=verdict][data-condition=insight]")).ToContainTextAsync("Within noise");

        // Each chart is drawn: MudChart renders its bars and lines as SVG paths.
        foreach (var chart in new[] { "chart-pass-at-k", "chart-pass-at-k-by-k", "chart-flips" })
        {
            await Expect(page.GetByTestId(chart).Locator("svg path").First).ToBeAttachedAsync();
        }

        var flips = page.GetByTestId("flip-row");
        await Expect(flips).ToHaveCountAsync(2);
        await Expect(flips.Nth(0)).ToContainTextAsync("T/0");
        await Expect(flips.Nth(0)).ToHaveAttributeAsync("data-change", "improved");
        await Expect(flips.Nth(1)).ToHaveAttributeAsync("data-change", "regressed");
        await page.GetByLabel("Different only").ClickAsync();
        await Expect(flips).ToHaveCountAsync(3);
        await page.ScreenshotAsync("run-dashboard-1400");

        await flips.Nth(0).GetByTestId("attempt-link").Last.ClickAsync();
        var dialog = page.GetByTestId("attempt-dialog");
        await Expect(dialog.GetByTestId("attempt-verdict")).ToHaveTextAsync("passed");
        await Expect(dialog.GetByTestId("attempt-system-prompt")).ToContainTextAsync("Check the returned number");

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task RunDashboard_OnAPhone_KeepsItsTablesInsideTheScreen()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors, PageExtensions.Phone);
        await page.SignInAsync("lead@example.org");
        await page.GotoAsync($"/dashboards/runs/{portal.RunId}");
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("paired-table")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("chart-pass-at-k").Locator("svg path").First).ToBeAttachedAsync();

        var pageWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(pageWidth <= 390, $"the page is {pageWidth} px wide on a 390 px screen");
        await page.ScreenshotAsync("run-dashboard-390");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Manager_UploadsExternalResults_ThenComparesThePortalsRunAgainstThem()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("lead@example.org");
        await page.GotoAsync("/dashboards/external");
        await page.WaitForInteractiveAsync();

        // Another model's zero-shot on the same tasks: it solves T/1 only.
        var lines = Enumerable.Range(0, 3).Select(task =>
            $$"""{"benchmark": "toy-python", "task": "T/{{task}}", "condition": "zero-shot", "attempt": 1, "passed": {{(task == 1 ? "true" : "false")}}, "model": "other-model"}""");
        await page.Locator("input[type=file]").SetInputFilesAsync(new Microsoft.Playwright.FilePayload
        {
            Name = "other-model.jsonl", MimeType = "application/x-ndjson", Buffer = System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines)),
        });
        await Expect(page.GetByTestId("chosen-file")).ToHaveTextAsync("other-model.jsonl");
        await page.GetByTestId("external-import").ClickAsync();
        await Expect(page.GetByTestId("external-imported")).ToContainTextAsync("other-model: 3 tasks of toy-python, 3 attempts, zero-shot");
        await page.ScreenshotAsync("external-results-1400");

        var externalId = await page.GetByTestId("external-imported").GetByRole(Microsoft.Playwright.AriaRole.Link).GetAttributeAsync("href");
        var baseline = externalId!.Split('/')[^1];
        await page.GotoAsync($"/dashboards/compare?baseline={baseline}&candidate={portal.RunId}&condition=zero-shot");
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("baseline-run")).ToContainTextAsync("other-model");
        // The portal's zero-shot solves T/1 and T/2: T/2 improved against the other model; insight solves T/0 and T/2.
        var zeroShot = page.GetByTestId("paired-table").Locator("tr[data-condition=zero-shot]");
        await Expect(zeroShot.GetByTestId("improved")).ToHaveTextAsync("1");
        await Expect(zeroShot.GetByTestId("regressed")).ToHaveTextAsync("0");
        var insight = page.GetByTestId("paired-table").Locator("tr[data-condition=insight]");
        await Expect(insight.GetByTestId("improved")).ToHaveTextAsync("2");
        await Expect(insight.GetByTestId("regressed")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("chart-pass-at-k").Locator("svg path").First).ToBeAttachedAsync();
        await page.ScreenshotAsync("compare-1400");

        // The external run's own page shows its attempts, task by task, as a run of the portal's does.
        await page.GotoAsync($"/runs/{baseline}");
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("run-settings")).ToContainTextAsync("The portal did not run, plan or verify these attempts");
        await Expect(page.GetByTestId("generate-memories")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("verdict-row")).ToHaveCountAsync(3);
        await Expect(page.Locator("[data-testid=verdict-row][data-task='T/1'] [data-testid=verdict]")).ToHaveAttributeAsync("data-verdict", new Regex("^passed"));
        await page.ScreenshotAsync("external-run-1400");
        await page.SetViewportSizeAsync(390, 844);
        await page.ScreenshotAsync("external-run-390");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
