using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;
using MtlPortal.Web.Transfer;

namespace MtlPortal.IntegrationTests.Transfer;

/// <summary>The format help inside the portal: the JSONL format page and the template file the import page offers.</summary>
public class MemoryTemplateTests(TransferPortal portal) : IClassFixture<TransferPortal>
{
    private async Task<HttpClient> SignedInAsync(string email)
    {
        var client = portal.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(email)).StatusCode);
        return client;
    }

    [Fact]
    public async Task TemplateDownload_ImportsAsOneMemoryOfEachKind_InReview()
    {
        var client = await SignedInAsync(TransferPortal.AuthorEmail);

        var response = await client.GetAsync(MemoryTransferApi.TemplatePath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        await using var file = await response.Content.ReadAsStreamAsync();
        await using var scope = portal.Services.CreateAsyncScope();
        var author = await scope.ServiceProvider.GetRequiredService<ActorDirectory>().GetAsync(portal.Author);
        var result = await scope.ServiceProvider.GetRequiredService<MemoryImporter>().ImportAsync(author!, file, new ImportOptions(MemoryTemplate.FileName));

        Assert.Equal([], result.Errors);
        await using var db = await portal.DbAsync();
        var imported = await db.Memories.Where(m => result.MemoryIds.Contains(m.Id)).ToListAsync();
        Assert.Equal(Enum.GetValues<MemoryKind>().Order(), imported.Select(m => m.Kind).Order());
        Assert.All(imported, m => Assert.Equal(MemoryStatus.InReview, m.Status));
    }

    [Fact]
    public void FormatDocument_ShowsTheTemplatesLinesAsItsExamples()
    {
        var lines = MemoryTemplate.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(Enum.GetValues<MemoryKind>().Length, lines.Length);
        Assert.All(lines, line => Assert.Contains(line + "\n", MemoryFormatDocument.Markdown, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FormatPage_IsServedByThePortal_AndTheImportPageLinksItAndTheTemplate()
    {
        var client = await SignedInAsync(TransferPortal.AuthorEmail);

        var transfer = await client.GetStringAsync("/memories/transfer");
        var format = await client.GetStringAsync(MemoryFormatDocument.PagePath);

        Assert.Contains("href=\"memories/format\"", transfer);
        Assert.Contains("href=\"memories/template.jsonl\"", transfer);
        Assert.DoesNotContain("docs/memory-jsonl.md", transfer);
        Assert.Contains("<h1", format);
        Assert.Contains("Memory JSONL: the import and export format", format);
        Assert.Contains("<table>", format);
        Assert.Contains("<code>sourceDomain</code>", format);
    }

    [Fact]
    public async Task TemplateAndFormatPage_Anonymous_AreSentToSignIn()
    {
        var client = portal.CreateBrowserlikeClient();

        foreach (var path in new[] { MemoryTransferApi.TemplatePath, MemoryFormatDocument.PagePath })
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/login", response.RedirectTarget(), StringComparison.Ordinal);
        }
    }
}
