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
        await Expect(page.GetByTestId("abstraction-score")).ToContainTextAsync("Abstraction 1.00");

        await page.GetByTestId("submit").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/memories/[0-9a-f-]{36}$"));

        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var memory = await db.Memories.Include(m => m.Revisions).SingleAsync(m => m.Kind == MemoryKind.Insight);
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

        // Each message inside the field it is about, under its input.
        var form = page.GetByTestId("memory-form");
        ILocator Field(string name) => form.Locator(".mud-input-control", new() { Has = page.Locator($"[name={name}]") });
        await Expect(Field("description")).ToContainTextAsync("The description is required.");
        await Expect(Field("content")).ToContainTextAsync("The content is required.");
        await Expect(Field("sourceDomain")).ToContainTextAsync("The source domain is required");
        await Expect(Field("title")).Not.ToContainTextAsync("required");
        await Expect(page).ToHaveURLAsync(new Regex("/contribute$"));
        await page.ScreenshotAsync("contribute-validation");

        // On a phone the messages stay beside their fields, and nothing of the form is pushed off the screen.
        await page.SetViewportSizeAsync(390, 844);
        await Expect(Field("description")).ToContainTextAsync("The description is required.");
        var overflow = await form.EvaluateAsync<int>("form => form.scrollWidth - form.clientWidth");
        Assert.True(overflow <= 0, $"the form overflows its column by {overflow} px at phone width");
        await page.ScreenshotAsync("contribute-validation-phone");
    }

    [Fact]
    public async Task Contributor_SavesADraft_AndFindsItInMyMemories_OnAPhoneToo()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("writer@example.org");
        await page.GotoAsync("/contribute");
        await page.WaitForInteractiveAsync();

        await page.GetByTestId("kind").GetByText("Summary", new() { Exact = true }).ClickAsync();
        await page.Locator("textarea[name=taskSummary]").FillAsync("Speed up a slow test suite without dropping tests.");
        await page.Locator("textarea[name=outcomeAnalysis]").FillAsync("Profiling first showed one slow fixture; sharing it across tests fixed most of the time.");
        await page.Locator("input[name=sourceDomain]").FillAsync("swe-bench");
        await page.GetByTestId("save-draft").ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Filter(new() { HasText = "Draft saved" })).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/contribute/[0-9a-f-]{36}$"));

        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/memories/mine");
        await page.WaitForInteractiveAsync();
        var row = page.GetByTestId("my-memories").Locator("tbody tr").Filter(new() { HasText = "Speed up a slow test suite" });
        await Expect(row).ToContainTextAsync("Draft");
        await Expect(row.GetByTestId("kind")).ToHaveTextAsync("summary");
        await Expect(row.GetByRole(AriaRole.Link, new() { Name = "Speed up a slow test suite without dropping tests." })).ToBeInViewportAsync();
        await page.ScreenshotAsync("my-memories-phone");
        await page.SetViewportSizeAsync(1400, 900);
        await page.ScreenshotAsync("my-memories-wide");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
