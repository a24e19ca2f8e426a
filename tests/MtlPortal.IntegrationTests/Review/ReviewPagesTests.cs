using System.Net;
using MtlPortal.IntegrationTests.Memories;
using MtlPortal.Memories;
using MtlPortal.Users;

namespace MtlPortal.IntegrationTests.Review;

/// <summary>
/// The review queue, memory, "My memories" and review settings pages over HTTP: what their server-rendered first
/// paint shows to whom (which roles may open them: <c>SignInTests.Areas_AreOpenOnlyToTheirRoles</c>).
/// </summary>
public class ReviewPagesTests(MemoryPortal portal) : IClassFixture<MemoryPortal>
{
    private async Task<HttpClient> SignedInAsync(string email)
    {
        var client = portal.CreateBrowserlikeClient();
        var response = await client.SignInAsync(email);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    [Theory]
    [InlineData("/review")]
    [InlineData("/memories/mine")]
    [InlineData("/admin/settings")]
    [InlineData("/memories/0190a5b4-7a3c-7def-8123-456789abcdef")]
    public async Task Page_Anonymous_RedirectsToSignIn(string path)
    {
        var response = await portal.CreateBrowserlikeClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.RedirectTarget());
    }

    [Fact]
    public async Task ReviewQueue_ShowsTheTeamsSubmissionToItsReviewerButNotToTheAuthor()
    {
        await portal.SubmittedAsync(author: portal.Reviewer1, draft: MemoryPortal.Insight("Queue check: compare before and after"));

        var reviewer = await (await SignedInAsync("reviewer2@example.org")).GetStringAsync("/review");
        var author = await (await SignedInAsync("reviewer1@example.org")).GetStringAsync("/review");
        var foreign = await (await SignedInAsync("foreign@example.org")).GetStringAsync("/review");

        // The queue list only: the pane beside it may name the memory as a near-duplicate of another one.
        Assert.Contains("Queue check: compare before and after", QueueList(reviewer));
        Assert.DoesNotContain("Queue check: compare before and after", QueueList(author)); // four eyes
        Assert.DoesNotContain("Queue check: compare before and after", foreign); // another team
    }

    [Fact]
    public async Task MemoryPage_UnknownId_IsNotFound()
    {
        var client = await SignedInAsync("author@example.org");

        var response = await client.GetAsync($"/memories/{Guid.CreateVersion7()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is nothing at this address.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MemoryPage_NeverApproved_IsNotFoundOutsideItsTeam()
    {
        var id = await portal.SubmittedAsync(draft: MemoryPortal.Insight("Hidden check: not yet approved"));

        var outsider = await (await SignedInAsync("foreign@example.org")).GetAsync($"/memories/{id}");
        var author = await (await SignedInAsync("author@example.org")).GetAsync($"/memories/{id}");

        Assert.Equal(HttpStatusCode.NotFound, outsider.StatusCode);
        Assert.DoesNotContain("Hidden check", await outsider.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, author.StatusCode);
        Assert.Contains("Hidden check: not yet approved", await author.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MemoryPage_TwoRevisions_ShowsTheTeamTheDiffAndOutsidersOnlyTheServedRevision()
    {
        var id = await portal.SubmittedAsync(draft: MemoryPortal.Insight("Diff check: verify", "Run the tests before declaring done."));
        await portal.AsAsync(portal.Reviewer2, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));
        var revised = await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, id, MemoryPortal.Insight("Diff check: verify", "Run the whole suite before declaring done."), submit: true));
        Assert.True(revised.Succeeded);

        var team = await (await SignedInAsync("colleague@example.org")).GetStringAsync($"/memories/{id}");
        var outsider = await (await SignedInAsync("foreign@example.org")).GetStringAsync($"/memories/{id}");

        Assert.Contains("Revision 2", team);
        Assert.Contains("<del", team);
        Assert.Matches("<ins[^>]*>whole suite</ins>", team);
        Assert.Matches("<del[^>]*>tests</del>", team);
        Assert.Contains("The pool serves revision 1 while revision 2 is in review.", team);
        Assert.Contains("Run the tests before declaring done.", outsider);
        Assert.DoesNotContain("whole suite", outsider);
        Assert.DoesNotContain("History", outsider);
    }

    [Theory]
    [InlineData(ReviewDecision.Approve, "Changes since approved revision 1, which the pool serves")]
    [InlineData(ReviewDecision.RequestChanges, "Changes since revision 1")]
    public async Task ReviewQueue_NewRevision_ShowsItsDiffAgainstTheApprovedOrElseThePreviousRevision(ReviewDecision firstDecision, string baseline)
    {
        // A team of its own, so the memory is the only one in its reviewer's queue and the one the page opens.
        var team = $"Queue diff {firstDecision}";
        var author = await portal.CreateUserAsync($"author.{firstDecision}@example.org", [PortalRoles.Contributor], [team]);
        var reviewer = await portal.CreateUserAsync($"reviewer.{firstDecision}@example.org", [PortalRoles.Reviewer], [team]);
        var id = (await portal.AsAsync(author, (w, a) => w.Authoring.SaveAsync(a, null, MemoryPortal.Insight("Queue diff: verify", "Run the tests before declaring done."), submit: true))).Value!.Id;
        await portal.AsAsync(reviewer, (w, a) => w.Reviews.DecideAsync(a, id, firstDecision, firstDecision == ReviewDecision.Approve ? null : "Say which tests."));
        var revised = await portal.AsAsync(author, (w, a) => w.Authoring.SaveAsync(a, id, MemoryPortal.Insight("Queue diff: verify", "Run the whole suite before declaring done."), submit: true));
        Assert.True(revised.Succeeded, string.Join("; ", revised.Errors));

        var page = await (await SignedInAsync($"reviewer.{firstDecision}@example.org")).GetStringAsync("/review");

        Assert.Contains(baseline, page);
        Assert.Matches("<ins[^>]*>whole suite</ins>", page);
        Assert.Matches("<del[^>]*>tests</del>", page);
    }

    [Fact]
    public async Task ReviewSettings_ShowsTheCurrentValuesToAnAdmin()
    {
        var page = await (await SignedInAsync(PortalFactory.AdminEmail)).GetStringAsync("/admin/settings");

        Assert.Contains("Approvals required", page);
        Assert.Contains("Duplicate threshold", page);
        Assert.Contains("href=\"admin/settings\"", page);
    }

    /// <summary>The page's queue list (the memories waiting), without the review pane.</summary>
    private static string QueueList(string page)
    {
        var start = page.IndexOf("data-testid=\"queue\"", StringComparison.Ordinal);
        if (start < 0)
        {
            return "";
        }

        var end = page.IndexOf("</ul>", start, StringComparison.Ordinal);
        return page[start..end];
    }
}
