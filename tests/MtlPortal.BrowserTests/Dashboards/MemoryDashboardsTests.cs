using System.Text.RegularExpressions;
using MtlPortal.Runs;
using MtlPortal.Users;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Dashboards;

/// <summary>
/// A portal with its job server and a stand-in model server, two approved insights from other domains and one
/// finished run (top-1 retrieval by task text): with the first insight the model solves task 0, which it fails
/// zero-shot; with the second it fails task 1, which it passes zero-shot.
/// </summary>
public sealed class MemoryDashboardsPortal() : StandInModelPortalFactory(kestrel: true)
{
    private const string Helpful = "Verify boundary conditions before returning the number zero.";
    private const string Harmful = "Hardcode fixtures copied from the number one repository.";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Llm.Reply = messages =>
        {
            var system = messages.FirstOrDefault(m => m.Role == "system")?.Content ?? "";
            var task = TaskNumber(messages);
            return Answer(system.Contains(Helpful, StringComparison.Ordinal) ? task
                : system.Contains(Harmful, StringComparison.Ordinal) ? 42
                : task == 1 ? 1 : 42);
        };
        var lead = await CreateUserAsync("lead@example.org", [PortalRoles.Manager, PortalRoles.Contributor], ["Alpha"]);
        string[] numbers = ["zero", "one"];
        await BenchmarkAsync("toy-python", tasks: 2, ask: task => $"write a function f() that returns the number {numbers[task]}");
        await ApprovedInsightAsync(lead, "Verify boundaries", Helpful, "domain-a", description: "A general way of working.");
        await ApprovedInsightAsync(lead, "Hardcode fixtures", Harmful, "domain-b", description: "A general way of working.");
        var runId = (await StartRunAsync(new RunRequest { Benchmark = "toy-python", Conditions = ["zero-shot", "insight"], Attempts = 2, TopN = 1, Query = RetrievalQuery.Task }, AdminId)).Id;
        await FinishedAsync(runId);
    }
}

/// <summary>The Impact and Pool health dashboards in Chromium, wide and on a phone.</summary>
[Collection(BrowserCollection.Name)]
public class MemoryDashboardsTests(BrowserFixture browser, MemoryDashboardsPortal portal) : IClassFixture<MemoryDashboardsPortal>
{
    [Theory]
    [InlineData(1400)]
    [InlineData(390)]
    public async Task Manager_OpensImpactAndPoolHealth_SeesTheirChartsDrawn(int width)
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors, new ViewportSize { Width = width, Height = 1000 });
        await page.SignInAsync("lead@example.org");

        await page.GotoAsync("/dashboards/impact");
        await page.WaitForInteractiveAsync();
        var rows = page.GetByTestId("impact-memory");
        await Expect(rows).ToHaveCountAsync(2);
        // Sorted by harm: the memory that hurt task 1 comes first.
        await Expect(rows.First).ToHaveTextAsync("Hardcode fixtures");
        // MudBlazor draws each bar as a thick stroked line: two memories × (hurt, helped).
        await Expect(page.Locator("[data-testid=impact-chart] svg").First).ToBeVisibleAsync();
        var bars = page.Locator("[data-testid=impact-chart] svg path.mud-chart-bar");
        await Expect(bars).ToHaveCountAsync(4);
        await Expect(bars.First).ToHaveAttributeAsync("d", new Regex(@"^M [\d.]+ [\d.]+ L [\d.]+ [\d.]+$"));
        await ScreenshotAsync(page, $"impact-{width}");

        await page.GotoAsync("/dashboards/pool");
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("kind-lisi")).ToContainTextAsync("1.00");
        // A point per memory (the legend draws its own markers too).
        await Expect(page.Locator("[data-testid=pool-scatter] svg circle").Nth(1)).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=lisi-chart] svg path.mud-chart-bar")).ToHaveCountAsync(2);
        await ScreenshotAsync(page, $"pool-{width}");

        // The memory page shows the same evidence to whoever decides on the memory.
        await page.GotoAsync("/dashboards/impact");
        await page.WaitForInteractiveAsync();
        await page.GetByTestId("impact-memory").First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/memories/[0-9a-f-]{36}$"));
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("impact-paired")).ToContainTextAsync("0 helped, 1 hurt of 1 task");
        await Expect(page.GetByTestId("domain-mixing")).ToContainTextAsync("Domain mixing 1.00");
        await ScreenshotAsync(page, $"memory-{width}");

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    // For people checking the layout by eye: MTL_SCREENSHOTS=<folder> keeps full-page screenshots there.
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("MTL_SCREENSHOTS") is { Length: > 0 } folder)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        }
    }
}
