using MtlPortal.Memories;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Review;

[Collection(BrowserCollection.Name)]
public class ReviewQueueKeyboardTests(BrowserFixture browser, ReviewPortal portal) : IClassFixture<ReviewPortal>
{
    private static readonly InsightContent First = new(
        "Reproduce the failure before fixing it",
        "Run the failing check first so you know what a fix must change.",
        "Run `pytest -x` on src/tests/test_api.py before editing anything. Then change one thing at a time.");

    private static readonly TrajectoryContent Second = new(
    [
        new TrajectoryStep("Fix a failing build: read the build log", "The first error names a missing import"),
        new TrajectoryStep("Add the import and build again", "The build passes"),
    ]);

    private static readonly SummaryContent Third = new(
        "Add input validation to a form handler.",
        "Succeeded because the edge cases were listed before writing code.");

    /// <summary>The message shown under the comment box.</summary>
    private static ILocator CommentMessage(IPage page) => page.GetByTestId("comment-field").Locator(".mud-input-helper-text.mud-input-error");

    private static async Task ChooseAsync(IPage page, string filter, string option)
    {
        await page.GetByTestId(filter).Locator(".mud-input-control.mud-select").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = option }).ClickAsync();
    }

    [Fact]
    public async Task Reviewer_WorksThroughTheQueueWithTheKeyboardOnly()
    {
        var team = await portal.NewTeamAsync("Keys");
        var first = await portal.SubmitAsync(team.Author, First);
        var second = await portal.SubmitAsync(team.Author, Second, domain: "mbpp");
        var third = await portal.SubmitAsync(team.Author, Third);
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync(team.ReviewerEmail);

        await page.GotoAsync("/review");
        await page.WaitForInteractiveAsync();
        var items = page.GetByTestId("queue-item");
        var selected = page.Locator("[data-testid=queue-item][aria-selected=true]");
        var detail = page.GetByTestId("review-detail");

        // Oldest first, the first one open, its linter findings marked in the text.
        await Expect(items).ToHaveCountAsync(3);
        await Expect(items.Nth(0)).ToContainTextAsync(First.Title);
        await Expect(items.Nth(2)).ToContainTextAsync("Add input validation");
        await Expect(selected).ToContainTextAsync(First.Title);
        await Expect(detail.Locator("mark.finding").Filter(new() { HasText = "pytest -x" })).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("Inline code"));
        await Expect(detail.Locator("mark.finding").Filter(new() { HasText = "src/tests/test_api.py" })).ToBeVisibleAsync();
        await Expect(page.Locator("#review-comment")).ToBeVisibleAsync();
        await page.ScreenshotAsync("review-queue");
        await page.SetViewportSizeAsync(390, 844);
        await page.ScreenshotAsync("review-queue-phone");
        await page.SetViewportSizeAsync(1440, 1000);

        // j/k and the arrow keys move through the queue.
        await page.Keyboard.PressAsync("j");
        await Expect(selected).ToContainTextAsync("Fix a failing build");
        await Expect(detail.Locator("ol.trajectory-steps li")).ToHaveCountAsync(2);
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(selected).ToContainTextAsync("Add input validation");
        await page.Keyboard.PressAsync("k");
        await Expect(selected).ToContainTextAsync("Fix a failing build");
        await page.Keyboard.PressAsync("ArrowUp");
        await Expect(selected).ToContainTextAsync(First.Title);
        await Expect(detail).ToContainTextAsync(First.Description);

        // Rejecting without a comment is refused beside the comment box, which gets the keyboard.
        await page.Keyboard.PressAsync("r");
        var comment = page.Locator("#review-comment");
        await Expect(CommentMessage(page)).ToContainTextAsync("a comment is required to reject");
        await Expect(comment).ToBeFocusedAsync();

        // Typing a, c, r, j and k in the box types them; it decides nothing.
        const string Request = "Describe the check and where it runs in words, not as a quick command or a file path.";
        await page.Keyboard.TypeAsync(Request);
        await Expect(comment).ToHaveValueAsync(Request);
        await Expect(CommentMessage(page)).ToHaveCountAsync(0);
        await Expect(selected).ToContainTextAsync(First.Title);

        // Escape leaves the box; c requests changes with the comment and moves on to the next memory.
        await page.Keyboard.PressAsync("Escape");

        // Escape hands the keyboard back through the server; wait for it, as a person sees the box lose focus.
        await Expect(page.Locator("#review-comment")).Not.ToBeFocusedAsync();
        await page.Keyboard.PressAsync("c");
        await Expect(page.Locator(".mud-snackbar").Filter(new() { HasText = "Changes requested" })).ToBeVisibleAsync();
        await Expect(items).ToHaveCountAsync(2);
        await Expect(selected).ToContainTextAsync("Fix a failing build");
        await Expect(detail).ToContainTextAsync("The first error names a missing import");

        // a approves it and moves on again.
        await page.Keyboard.PressAsync("a");
        await Expect(page.Locator(".mud-snackbar").Filter(new() { HasText = "Approved" })).ToBeVisibleAsync();
        await Expect(items).ToHaveCountAsync(1);
        await Expect(selected).ToContainTextAsync("Add input validation");

        var changesRequested = await portal.MemoryAsync(first);
        Assert.Equal(MemoryStatus.ChangesRequested, changesRequested.Status);
        var review = Assert.Single(changesRequested.Revisions.Single().Reviews);
        Assert.Equal((ReviewDecision.RequestChanges, Request, team.Reviewer), (review.Decision, review.Comment, review.ReviewerId));
        Assert.Equal(MemoryStatus.Approved, (await portal.MemoryAsync(second)).Status);
        Assert.Equal(MemoryStatus.InReview, (await portal.MemoryAsync(third)).Status);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Decision_AfterAnotherReviewerDecidedFirst_ShowsTheConflictAndReloadsTheQueue()
    {
        var team = await portal.NewTeamAsync("Race");
        var otherReviewer = await portal.CreateUserAsync("second.race@example.org", [MtlPortal.Users.PortalRoles.Reviewer], [team.Name]);
        var taken = await portal.SubmitAsync(team.Author, First);
        await portal.SubmitAsync(team.Author, Third);
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync(team.ReviewerEmail);
        await page.GotoAsync("/review");
        await page.WaitForInteractiveAsync();
        await Expect(page.Locator("[data-testid=queue-item][aria-selected=true]")).ToContainTextAsync(First.Title);

        // Someone else approves the open memory while this reviewer is still reading it.
        await portal.AsAsync(otherReviewer, (w, a) => w.Reviews.DecideAsync(a, taken, ReviewDecision.RequestChanges, "Too specific."));
        await page.Keyboard.PressAsync("a");

        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Someone else changed this memory since you opened it");
        await Expect(page.GetByTestId("queue-item")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=queue-item][aria-selected=true]")).ToContainTextAsync("Add input validation");
        var memory = await portal.MemoryAsync(taken);
        Assert.Equal(MemoryStatus.ChangesRequested, memory.Status);
        Assert.DoesNotContain(memory.Revisions.Single().Reviews, r => r.ReviewerId == team.Reviewer);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task NearDuplicate_IsShownWithItsSimilarityAndCanBeMarkedAsTheOriginal()
    {
        var team = await portal.NewTeamAsync("Dupes");
        var otherReviewer = await portal.CreateUserAsync("second.dupes@example.org", [MtlPortal.Users.PortalRoles.Reviewer], [team.Name]);
        var original = await portal.SubmitAsync(team.Author, First);
        await portal.AsAsync(otherReviewer, (w, a) => w.Reviews.DecideAsync(a, original, ReviewDecision.Approve, null));
        var copy = await portal.SubmitAsync(team.Author, First with { Title = "Reproduce a failure before fixing it" });
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync(team.ReviewerEmail);
        await page.GotoAsync("/review");
        await page.WaitForInteractiveAsync();

        await Expect(page.GetByTestId("duplicate-warning")).ToContainTextAsync("Reads like 1 memory already in the pool or in review");
        var duplicate = page.GetByTestId("near-duplicate");
        await Expect(duplicate).ToContainTextAsync(First.Title);
        await Expect(duplicate.Locator(".similarity")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^(9\d|100)\s?%$"));
        await page.ScreenshotAsync("review-queue-duplicates");

        // Marking what it supersedes keeps it in the queue, with the mark shown and the version moved on.
        await duplicate.GetByTestId("supersedes").ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Filter(new() { HasText = "Marked as superseding" })).ToBeVisibleAsync();
        await Expect(duplicate).ToContainTextAsync("this memory supersedes it");
        Assert.Equal(original, (await portal.MemoryAsync(copy)).SupersedesId);

        // On second thought it is a plain duplicate; the decision uses the version the page now shows.
        await duplicate.GetByTestId("mark-duplicate").ClickAsync();

        await Expect(page.Locator(".mud-snackbar").Filter(new() { HasText = "Rejected as a duplicate" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("queue-empty")).ToBeVisibleAsync();
        var marked = await portal.MemoryAsync(copy);
        Assert.Equal((MemoryStatus.Rejected, original), (marked.Status, marked.DuplicateOfId));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Filters_NarrowTheQueueBySourceDomainAndKind()
    {
        var team = await portal.NewTeamAsync("Filters");
        await portal.SubmitAsync(team.Author, First);
        await portal.SubmitAsync(team.Author, Second, domain: "mbpp");
        await portal.SubmitAsync(team.Author, Third);
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync(team.ReviewerEmail);
        await page.GotoAsync("/review");
        await page.WaitForInteractiveAsync();
        var items = page.GetByTestId("queue-item");
        await Expect(items).ToHaveCountAsync(3);

        await ChooseAsync(page, "domain-filter", "mbpp");

        await Expect(items).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("queue-count")).ToHaveTextAsync("1 of 3 waiting");
        await Expect(page.Locator("[data-testid=queue-item][aria-selected=true]")).ToContainTextAsync("Fix a failing build");

        await ChooseAsync(page, "kind-filter", "Insight");

        await Expect(page.GetByTestId("queue-empty")).ToContainTextAsync("Nothing waiting for review matches these filters.");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
