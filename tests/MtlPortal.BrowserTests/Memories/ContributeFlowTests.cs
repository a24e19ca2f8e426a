using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Users;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Memories;

public class ContributePortal : KestrelPortalFactory
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CreateUserAsync("writer@example.org", [PortalRoles.Contributor], ["Agents"]);
    }
}

[Collection(BrowserCollection.Name)]
public class ContributeFlowTests(BrowserFixture browser, ContributePortal portal) : IClassFixture<ContributePortal>
{
    [Fact]
    public async Task Contributor_SeesALinterFindingWhileWriting_FixesIt_AndSubmits()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("writer@example.org");
        await page.GotoAsync("/contribute");
        await page.WaitForInteractiveAsync();

        await page.Locator("input[name=title]").FillAsync("Check the project's own tests first");
        await page.Locator("textarea[name=description]").FillAsync("Before changing code, learn how the project verifies itself.");
        await page.Locator("textarea[name=content]").FillAsync("Run pytest tests/test_models.py before editing anything.");
        await page.Locator("input[name=sourceDomain]").FillAsync("swe-bench");
        await page.Locator("input[name=sourceModel]").FillAsync("gpt-5-mini");

        // The linter points at the file path while the contributor is still writing.
        var findings = page.GetByTestId("findings");
        await Expect(findings).ToContainTextAsync("tests/test_models.py");
        await page.ScreenshotAsync("contribute-with-finding");

        await page.Locator("textarea[name=content]").FillAsync("Find how the project runs its tests and run them before editing anything. Run them again after each change.");
        await Expect(page.GetByTestId("no-findings")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("abstraction-score")).ToHaveTextAsync("1.00");

        await page.GetByTestId("submit").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/memories/[0-9a-f-]{36}$"));

        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var memory = await db.Memories.Include(m => m.Revisions).SingleAsync();
        Assert.Equal(MemoryStatus.InReview, memory.Status);
        var content = Assert.IsType<InsightContent>(memory.Revisions.Single().Content);
        Assert.StartsWith("Find how the project runs its tests", content.Content);
        Assert.Equal(1.0, memory.Revisions.Single().AbstractionScore);
        Assert.Equal(("swe-bench", "gpt-5-mini"), (memory.Revisions.Single().SourceDomain, memory.Revisions.Single().SourceModel));
        Assert.True(errors.Count == 0 || errors.All(e => e.Contains("/memories/", StringComparison.Ordinal)), string.Join("\n", errors));
    }

    [Fact]
    public async Task Contributor_SubmittingWithoutRequiredFields_SeesMessagesBesideThem()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("writer@example.org");
        await page.GotoAsync("/contribute");
        await page.WaitForInteractiveAsync();

        await page.Locator("input[name=title]").FillAsync("Only a title");
        await page.GetByTestId("submit").ClickAsync();

        var form = page.GetByTestId("memory-form");
        await Expect(form.Locator(".validation-message").Filter(new() { HasText = "The description is required." })).ToBeVisibleAsync();
        await Expect(form.Locator(".validation-message").Filter(new() { HasText = "The content is required." })).ToBeVisibleAsync();
        await Expect(form.Locator(".validation-message").Filter(new() { HasText = "The source domain is required" })).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/contribute$"));
    }
}
