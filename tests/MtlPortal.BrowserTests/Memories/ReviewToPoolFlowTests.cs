using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Users;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Memories;

public class ReviewFlowPortal : KestrelPortalFactory
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CreateUserAsync("writer@example.org", [PortalRoles.Contributor], ["Agents"]);
        await CreateUserAsync("first.reviewer@example.org", [PortalRoles.Reviewer], ["Agents"]);
        await CreateUserAsync("second.reviewer@example.org", [PortalRoles.Reviewer], ["Agents"]);
    }
}

/// <summary>The pool's whole lifecycle as people do it in the browser, from writing to being found.</summary>
[Collection(BrowserCollection.Name)]
public class ReviewToPoolFlowTests(BrowserFixture browser, ReviewFlowPortal portal) : IClassFixture<ReviewFlowPortal>
{
    private const string Title = "Reproduce before you fix";

    [Fact]
    public async Task Insight_WrittenFixedReviewedRevisedAndApproved_IsFoundInThePool()
    {
        var errors = new List<string>();

        // A contributor writes an insight, sees the linter flag a stack frame, fixes it, and submits.
        var writer = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await writer.SignInAsync("writer@example.org");
        await writer.GotoAsync("/contribute");
        await writer.WaitForInteractiveAsync();
        await writer.Locator("input[name=title]").FillAsync(Title);
        await writer.Locator("textarea[name=description]").FillAsync("When something fails, make it fail on demand before changing anything.");
        await writer.Locator("textarea[name=content]").FillAsync("Trigger the failure at QueryBuilder.build() first. Then change one thing and run it again.");
        await writer.Locator("input[name=sourceDomain]").FillAsync("swe-bench");
        await Expect(writer.GetByTestId("findings")).ToContainTextAsync("QueryBuilder.build()");
        await writer.Locator("textarea[name=content]").FillAsync("Trigger the failure yourself first. Then change one thing and trigger it again.");
        await Expect(writer.GetByTestId("no-findings")).ToBeVisibleAsync();
        await writer.GetByTestId("submit").ClickAsync();
        await Expect(writer).ToHaveURLAsync(new Regex("/memories/[0-9a-f-]{36}$"));
        var memoryId = Guid.Parse(writer.Url[^36..]);

        // The first reviewer asks for changes from the review queue.
        var first = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await first.SignInAsync("first.reviewer@example.org");
        await first.GotoAsync("/review");
        await first.WaitForInteractiveAsync();
        await Expect(first.Locator("[data-testid=queue-item][aria-selected=true]")).ToContainTextAsync(Title);
        await first.Locator("#review-comment").FillAsync("Say how to make it fail on demand, e.g. with a small test.");
        await first.GetByTestId("request-changes").ClickAsync();
        await Expect(first.Locator(".mud-snackbar").Filter(new() { HasText = "Changes requested" })).ToBeVisibleAsync();

        // The contributor revises it from the memory page and submits again.
        await writer.GotoAsync($"/contribute/{memoryId}");
        await writer.WaitForInteractiveAsync();
        await Expect(writer.GetByTestId("revision-notice")).ToContainTextAsync("asked for changes");
        await writer.Locator("textarea[name=content]").FillAsync("Write a small test that triggers the failure first. Then change one thing and run the test again.");
        await writer.GetByTestId("submit").ClickAsync();
        await Expect(writer).ToHaveURLAsync(new Regex($"/memories/{memoryId}$"));

        // A second reviewer approves it.
        var second = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await second.SignInAsync("second.reviewer@example.org");
        await second.GotoAsync("/review");
        await second.WaitForInteractiveAsync();
        await Expect(second.GetByTestId("review-detail")).ToContainTextAsync("Write a small test");
        await second.GetByTestId("approve").ClickAsync();
        await Expect(second.Locator(".mud-snackbar").Filter(new() { HasText = "Approved" })).ToBeVisibleAsync();

        // Anyone finds it in the pool by describing a task.
        await writer.GotoAsync("/pool");
        await writer.WaitForInteractiveAsync();
        await writer.Locator("#pool-search").FillAsync("make the failure happen with a test before changing code");
        await writer.GetByTestId("pool-search-button").ClickAsync();
        var grid = writer.GetByTestId("pool-grid");
        await Expect(grid.GetByRole(AriaRole.Link, new() { Name = Title })).ToBeVisibleAsync();
        await Expect(grid.GetByRole(AriaRole.Columnheader, new() { Name = "Similarity" })).ToBeVisibleAsync();
        await Expect(grid.Locator("tbody tr").Filter(new() { HasText = Title }).Locator("td").First).ToHaveTextAsync(new Regex(@"^(0\.\d\d|1\.00)$"));
        await writer.ScreenshotAsync("pool-search");

        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var memory = await db.Memories.Include(m => m.Revisions).SingleAsync(m => m.Id == memoryId);
        Assert.Equal(MemoryStatus.Approved, memory.Status);
        Assert.Equal([RevisionState.ChangesRequested, RevisionState.Approved], memory.Revisions.OrderBy(r => r.Number).Select(r => r.State));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}

/// <summary>A portal whose pool already holds 25 approved memories, all approved at one instant by an import.</summary>
public class StockedPoolPortal : KestrelPortalFactory
{
    public const int Approved = 25;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CreateUserAsync("reader@example.org", [PortalRoles.Contributor], ["Readers"]);
        var admin = await Services.GetRequiredService<ActorDirectory>().GetAsync(AdminId) ?? throw new InvalidOperationException("No admin.");
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var team = await db.Teams.Where(t => t.Name == "Readers").Select(t => t.Id).SingleAsync();
        var memories = Enumerable.Range(1, Approved).Select(i => new NewMemory(
            new MemoryDraft(
                new InsightContent($"Pooled insight {i:00}", "Check the result with the project's own tests.", $"Whatever the task, run the checks the project already has before declaring it done, round {i}."),
                new Provenance("swe-bench", null, "gpt-5-mini", SourceOutcome.Success, ["testing"]),
                team),
            $"line {i}"));
        var batch = await MemoryWriters.From(scope.ServiceProvider).Batch.CreateManyAsync(admin, [.. memories], approve: true, "browser test");
        if (!batch.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", batch.Errors.Select(e => e.Message)));
        }
    }
}

[Collection(BrowserCollection.Name)]
public class PoolPageTests(BrowserFixture browser, StockedPoolPortal portal) : IClassFixture<StockedPoolPortal>
{
    [Fact]
    public async Task Pool_FirstVisit_ListsTheApprovedPool_AndItsPagesShowEachMemoryOnce()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("reader@example.org");

        await page.GotoAsync("/pool");
        await page.WaitForInteractiveAsync();

        // Without a search or a filter: the pool as it is, never "empty".
        var titles = page.GetByTestId("pool-grid").GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Pooled insight") });
        await Expect(titles).ToHaveCountAsync(20);
        await Expect(page.GetByText("The pool is empty")).ToHaveCountAsync(0);
        await page.ScreenshotAsync("pool");
        var seen = new List<string>(await titles.AllTextContentsAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Expect(titles).ToHaveCountAsync(StockedPoolPortal.Approved - 20);
        seen.AddRange(await titles.AllTextContentsAsync());

        Assert.Equal(Enumerable.Range(1, StockedPoolPortal.Approved).Select(i => $"Pooled insight {i:00}"), seen.Order());
        await page.SetViewportSizeAsync(390, 844);
        await page.ScreenshotAsync("pool-phone");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
