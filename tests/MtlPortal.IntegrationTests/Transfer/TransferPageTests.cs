using System.Net;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;

namespace MtlPortal.IntegrationTests.Transfer;

/// <summary>The export endpoint and the Import and export page, over HTTP as a browser reaches them.</summary>
public class TransferPageTests(TransferPortal portal) : IClassFixture<TransferPortal>
{
    private async Task<HttpClient> SignedInAsync(string email)
    {
        var client = portal.CreateBrowserlikeClient();
        var signIn = await client.SignInAsync(email);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return client;
    }

    [Fact]
    public async Task Export_Anonymous_IsSentToSignIn()
    {
        var response = await portal.CreateBrowserlikeClient().GetAsync("/memories/export");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.RedirectTarget(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_SignedInManager_DownloadsTheApprovedPoolAsJsonlAndIsAudited()
    {
        var approved = await portal.SubmittedAsync();
        await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, approved, ReviewDecision.Approve, null));
        var inReview = await portal.SubmittedAsync();
        var client = await SignedInAsync(TransferPortal.ManagerEmail);

        var response = await client.GetAsync("/memories/export");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/jsonl", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Matches(@"^mtl-memories-\d{8}-\d{4}\.jsonl$", response.Content.Headers.ContentDisposition.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName!.Trim('"'));
        var ids = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => MemoryRecord.Parse(l).Record!.Id!.Value).ToList();
        Assert.Contains(approved, ids);
        Assert.DoesNotContain(inReview, ids);
        await using var db = await portal.DbAsync();
        var audit = await db.AuditEntries.OrderBy(a => a.Id).LastAsync(a => a.Action == "memories.exported");
        Assert.Equal(portal.Manager, audit.Actor);
    }

    [Fact]
    public async Task Page_Contributor_SeesTheImportFormWithoutTheApprovedOption()
    {
        var client = await SignedInAsync(TransferPortal.AuthorEmail);

        var html = await client.GetStringAsync("/memories/transfer");

        Assert.Contains("data-testid=\"import-form\"", html);
        Assert.Contains("data-testid=\"export-link\"", html);
        Assert.DoesNotContain("data-testid=\"import-approved\"", html);
    }

    [Fact]
    public async Task Page_Admin_MayChooseToImportAsApproved()
    {
        var client = await SignedInAsync(PortalFactory.AdminEmail);

        var html = await client.GetStringAsync("/memories/transfer");

        Assert.Contains("data-testid=\"import-approved\"", html);
        Assert.Contains("Import as approved", html);
    }

    [Fact]
    public async Task Page_Manager_MayExportButNotImport()
    {
        var client = await SignedInAsync(TransferPortal.ManagerEmail);

        var html = await client.GetStringAsync("/memories/transfer");

        Assert.Contains("data-testid=\"export-link\"", html);
        Assert.Contains("href=\"memories/export\"", html);
        Assert.DoesNotContain("data-testid=\"import-card\"", html);
        Assert.Contains("href=\"memories/transfer\"", html); // the navigation shows the area to everyone signed in
    }
}
