using MtlPortal.Testing;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Benchmarks;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using MtlPortal.Runs;
using MtlPortal.Sandbox;
using MtlPortal.Users;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Dashboards;

/// <summary>
/// A portal with its job server and a stand-in model server, two approved insights from other domains and one
/// finished run (top-1 retrieval by task text): with the first insight the model solves task 0, which it fails
/// zero-shot; with the second it fails task 1, which it passes zero-shot.
/// </summary>
public sealed class MemoryDashboardsPortal() : PortalFactory(kestrel: true)
{
    private const string Helpful = "Verify boundary conditions before returning the number zero.";
    private const string Harmful = "Hardcode fixtures copied from the number one repository.";

    public FakeOpenAiServer Llm { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Llm = await FakeOpenAiServer.StartAsync();
        Llm.Reply = messages =>
        {
            var system = messages.FirstOrDefault(m => m.Role == "system")?.Content ?? "";
            var task = messages.Any(m => m.Content.Contains("Task 0:", StringComparison.Ordinal)) ? 0 : 1;
            var value = system.Contains(Helpful, StringComparison.Ordinal) ? task
                : system.Contains(Harmful, StringComparison.Ordinal) ? 42
                : task == 1 ? 1 : 42;
            return $"Here it is.\n\n```python\ndef f():\n    return {value}\n```\n";
        };
        await base.InitializeAsync();
        var lead = await CreateUserAsync("lead@example.org", [PortalRoles.Manager, PortalRoles.Contributor], ["Alpha"]);

        var benchmark = new Benchmark { Id = Guid.CreateVersion7(), Name = "toy-python", Format = BenchmarkFormat.Tasks, SourceName = "test", ImportedAt = DateTimeOffset.UtcNow, ImportedBy = "[test]" };
        string[] prompts = ["write a function f() that returns the number zero", "write a function f() that returns the number one"];
        for (var i = 0; i < 2; i++)
        {
            benchmark.Tasks.Add(new BenchmarkTask
            {
                Id = Guid.CreateVersion7(), Ordinal = i, TaskId = $"T/{i}", Language = SandboxLanguage.Python, Style = AnswerStyle.Standalone,
                Prompt = $"Task {i}: {prompts[i]}.", EntryPoint = "f", Tests = $"assert f() == {i}\n",
            });
        }

        await using (var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            db.Benchmarks.Add(benchmark);
            await db.SaveChangesAsync();
        }

        var actors = Services.GetRequiredService<ActorDirectory>();
        var author = await actors.GetAsync(lead) ?? throw new InvalidOperationException("no lead");
        var admin = await actors.GetAsync(AdminId) ?? throw new InvalidOperationException("no admin");
        await ApproveAsync(author, admin, "Verify boundaries", Helpful, "domain-a");
        await ApproveAsync(author, admin, "Hardcode fixtures", Harmful, "domain-b");

        var started = await Services.GetRequiredService<RunLauncher>().StartAsync(
            new RunRequest { Benchmark = "toy-python", Conditions = ["zero-shot", "insight"], Attempts = 2, TopN = 1, Query = RetrievalQuery.Task }, admin);
        var runId = started.Value?.Id ?? throw new InvalidOperationException(string.Join("; ", started.Errors.Select(e => e.Message)));
        var reports = Services.GetRequiredService<RunReports>();
        while ((await reports.GetAsync(runId))!.Status == "running")
        {
            await Task.Delay(50);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Llm is not null)
        {
            await Llm.DisposeAsync();
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Llm:Endpoint", Llm.Endpoint.ToString());
        builder.UseSetting("Llm:Model", "fake-model");
        builder.UseSetting("Runner:Enabled", "true");
        builder.UseSetting("Runner:PollSeconds", "0.1");
    }

    private async Task ApproveAsync(Actor author, Actor reviewer, string title, string content, string domain)
    {
        await using var scope = Services.CreateAsyncScope();
        var workflow = MemoryWriters.From(scope.ServiceProvider);
        var saved = await workflow.Authoring.SaveAsync(author, null, new MemoryDraft(
            new InsightContent(title, "A general way of working.", content), new Provenance(domain, null, "gpt-5-mini", SourceOutcome.Success, []), author.TeamIds.First()), submit: true);
        var id = saved.Value?.Id ?? throw new InvalidOperationException(string.Join("; ", saved.Errors.Select(e => e.Message)));
        var approved = await workflow.Reviews.DecideAsync(reviewer, id, ReviewDecision.Approve, null);
        if (!approved.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", approved.Errors.Select(e => e.Message)));
        }

        var pool = Services.GetRequiredService<PoolIndexService>();
        while (pool.Served(id) is null)
        {
            await Task.Delay(20);
        }
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
