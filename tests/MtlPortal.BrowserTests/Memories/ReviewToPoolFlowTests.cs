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
        await first.GetByTestId("review-comment").FillAsync("Say how to make it fail on demand, e.g. with a small test.");
        await first.GetByTestId("request-changes").ClickAsync();
        await Expect(first.Locator(".rz-notification-item").Filter(new() { HasText = "Changes requested" })).ToBeVisibleAsync();

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
        await Expect(second.Locator(".rz-notification-item").Filter(new() { HasText = "Approved" })).ToBeVisibleAsync();

        // Anyone finds it in the pool by describing a task.
        await writer.GotoAsync("/pool");
        await writer.WaitForInteractiveAsync();
        await writer.Locator("input[name=pool-search]").FillAsync("make the failure happen with a test before changing code");
        await writer.GetByTestId("pool-search-button").ClickAsync();
        var grid = writer.GetByTestId("pool-grid");
        await Expect(grid.GetByRole(AriaRole.Link, new() { Name = Title })).ToBeVisibleAsync();
        await Expect(grid.GetByRole(AriaRole.Columnheader, new() { Name = "Similarity" })).ToBeVisibleAsync();
        await writer.ScreenshotAsync("pool-search");

        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var memory = await db.Memories.Include(m => m.Revisions).SingleAsync(m => m.Id == memoryId);
        Assert.Equal(MemoryStatus.Approved, memory.Status);
        Assert.Equal([RevisionState.ChangesRequested, RevisionState.Approved], memory.Revisions.OrderBy(r => r.Number).Select(r => r.State));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
