using System.Text.RegularExpressions;
using MtlPortal.Memories;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Review;

[Collection(BrowserCollection.Name)]
public class MemoryPagesTests(BrowserFixture browser, ReviewPortal portal) : IClassFixture<ReviewPortal>
{
    private static readonly InsightContent FirstDraft = new(
        "Check the environment before blaming the code",
        "Confirm the tools and versions the task expects before debugging.",
        "Compare the versions the project declares with the ones installed. Fix a mismatch before reading code.");

    [Fact]
    public async Task MemoryPage_ShowsTheDiffBetweenRevisions_AndTheReviewerApprovesThere()
    {
        var team = await portal.NewTeamAsync("Diff");
        var id = await portal.SubmitAsync(team.Author, FirstDraft);
        await portal.AsAsync(team.Reviewer, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.RequestChanges, "Say which kind of mismatch to look for first."));
        var revised = FirstDraft with { Content = "Compare the runtime versions the project declares with the ones installed. Fix a mismatch before reading code." };
        await portal.AsAsync(team.Author, (w, a) => w.Authoring.SaveAsync(a, id, ReviewPortal.Draft(revised), submit: true));
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync(team.ReviewerEmail);

        await page.GotoAsync($"/memories/{id}");
        await page.WaitForInteractiveAsync();

        var second = page.Locator("[data-testid=revision][data-revision='2']");
        await Expect(second).ToContainTextAsync("In review");
        await Expect(second.Locator("[data-testid=revision-diff] ins")).ToHaveTextAsync("runtime ");
        await Expect(second.Locator("[data-testid=revision-diff] del")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=revision][data-revision='1']")).ToContainTextAsync("Changes requested");
        await Expect(page.GetByTestId("thread")).ToContainTextAsync("Say which kind of mismatch to look for first.");
        await Expect(page.GetByTestId("edit")).ToHaveCountAsync(0); // a reviewer of the team, not its author
        await page.ScreenshotAsync("memory-detail");
        await page.SetViewportSizeAsync(390, 844);
        await page.ScreenshotAsync("memory-detail-phone");
        await page.SetViewportSizeAsync(1440, 1000);

        await page.GetByTestId("approve").ClickAsync();

        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Approved");
        await Expect(page.GetByTestId("status").First).ToHaveTextAsync("Approved");
        Assert.Equal(MemoryStatus.Approved, (await portal.MemoryAsync(id)).Status);

        // Approved: a reviewer of the team may take it out of the pool, after confirming.
        await page.GetByTestId("archive").ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        await Expect(dialog).ToContainTextAsync("no longer served to agents");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Archive" }).ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Filter(new() { HasText = "Archived" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("status").First).ToHaveTextAsync("Archived");
        await Expect(page.GetByTestId("archive")).ToHaveCountAsync(0);
        Assert.NotNull((await portal.MemoryAsync(id)).ArchivedAt);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task MyMemories_ListsTheAuthorsMemories_AndLeadsToEachOne()
    {
        var team = await portal.NewTeamAsync("Mine");
        var id = await portal.SubmitAsync(team.Author, FirstDraft);
        await portal.AsAsync(team.Author, (w, a) => w.Authoring.SaveAsync(a, null, ReviewPortal.Draft(new SummaryContent("Speed up a slow test suite.", "Profiling first showed one slow fixture.")), submit: false));
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync(team.AuthorEmail);

        // A click sent while the home page's circuit is still connecting can be lost (see STACK.md).
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Portal areas" }).GetByText("My memories", new() { Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/memories/mine$"));
        await page.WaitForInteractiveAsync();

        var rows = page.GetByTestId("my-memories").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Filter(new() { HasText = "Speed up a slow test suite." })).ToContainTextAsync("Draft");
        await Expect(rows.Filter(new() { HasText = FirstDraft.Title })).ToContainTextAsync("In review");
        await page.ScreenshotAsync("my-memories");

        await page.GetByRole(AriaRole.Link, new() { Name = FirstDraft.Title }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/memories/{id}$"));
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = FirstDraft.Title, Level = 1 })).ToBeVisibleAsync();

        // Before any reviewer decided, the author can take it back.
        await page.GetByTestId("withdraw").ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Withdrawn from review");
        await Expect(page.GetByTestId("submit")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("edit")).ToHaveAttributeAsync("href", new Regex($"contribute/{id}$"));
        Assert.Equal(MemoryStatus.Draft, (await portal.MemoryAsync(id)).Status);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
