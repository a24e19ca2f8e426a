using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.IntegrationTests.Memories;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;
using MtlPortal.Persistence;

namespace MtlPortal.IntegrationTests.Api;

/// <summary>
/// A NUL character (which PostgreSQL cannot store) or a lone UTF-16 surrogate (which is not text) in any text field
/// is refused with the field named, and nothing is written: through the API, an import file and the forms' workflow.
/// </summary>
public class UnstorableTextTests(ApiPortal portal) : IClassFixture<ApiPortal>
{
    // JSON escapes, sent as the six characters \u0000 and \ud800: valid JSON syntax, unstorable text.
    private const string Nul = "\\u0000";
    private const string LoneSurrogate = "\\ud800";

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
    }

    private async Task<int> MemoryCountAsync()
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Memories.CountAsync();
    }

    [Theory]
    [InlineData("query", "{\"query\": \"fix the build" + Nul + "\"}")]
    [InlineData("query", "{\"query\": \"fix the build" + LoneSurrogate + "\"}")]
    [InlineData("excludeDomains[1]", "{\"query\": \"fix the build\", \"excludeDomains\": [\"swe-bench\", \"x" + Nul + "\"]}")]
    [InlineData("sourceModels[0]", "{\"query\": \"fix the build\", \"sourceModels\": [\"" + LoneSurrogate + "x\"]}")]
    public async Task Search_UnstorableCharacterInAField_Is400NamingTheField(string field, string body)
    {
        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesRead);

        var errors = await ErrorsAsync(await client.PostAsync("/api/v1/memories/search", Json(body)));

        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for '{field}' in {errors}");
        Assert.Contains("NUL character or a broken Unicode character", messages[0].GetString());
    }

    [Theory]
    [InlineData("title", Nul)]
    [InlineData("content", LoneSurrogate)]
    [InlineData("sourceDomain", Nul)]
    public async Task SubmitMemory_UnstorableCharacter_Is400NamingTheField_AndWritesNothing(string field, string bad)
    {
        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesWrite);
        var fields = new Dictionary<string, string>
        {
            ["title"] = "Read the error first",
            ["description"] = "Read the whole error output before changing code.",
            ["content"] = "The first line rarely names the cause. Read all of it.",
            ["sourceDomain"] = "unstorable-test",
        };
        fields[field] += bad;
        var line = $"{{\"kind\":\"insight\",\"title\":\"{fields["title"]}\",\"description\":\"{fields["description"]}\",\"content\":\"{fields["content"]}\",\"sourceDomain\":\"{fields["sourceDomain"]}\",\"sourceModel\":\"human\"}}";
        var before = await MemoryCountAsync();

        var errors = await ErrorsAsync(await client.PostAsync("/api/v1/memories", Json(line)));

        Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}' in {errors}");
        Assert.Equal(before, await MemoryCountAsync());
    }

    [Fact]
    public async Task FeedbackAndReview_UnstorableCharacter_Is400NamingTheField()
    {
        var id = await portal.SubmittedAsync(draft: MemoryPortal.Insight("A review with a bad comment"));
        var reviewer = await portal.KeyClientAsync(portal.Reviewer1, ApiScopes.ReviewsWrite, ApiScopes.FeedbackWrite);

        var review = await ErrorsAsync(await reviewer.PostAsync($"/api/v1/memories/{id}/reviews", Json("{\"decision\": \"reject\", \"comment\": \"no" + LoneSurrogate + "\"}")));
        var feedback = await ErrorsAsync(await reviewer.PostAsync("/api/v1/feedback", Json($"{{\"retrievalId\": \"{Guid.NewGuid()}\", \"outcome\": \"success\", \"note\": \"ok{Nul}\"}}")));

        Assert.True(review.TryGetProperty("comment", out _), review.ToString());
        Assert.True(feedback.TryGetProperty("note", out _), feedback.ToString());
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(MemoryStatus.InReview, (await db.Memories.SingleAsync(m => m.Id == id)).Status);
    }

    [Fact]
    public async Task Import_UnstorableCharacterOnOneLine_NamesTheLineAndField_AndImportsNothing()
    {
        var good = new[] { "Import one", "Import two" }
            .Select(title => MemoryPortal.Insight(title))
            .Select(d => new MemoryRecord(d.Content, d.Provenance, null).ToJsonLine()).ToList();
        var bad = good[1].Replace("\"sourceModel\":\"", "\"sourceModel\":\"" + Nul, StringComparison.Ordinal);
        var before = await MemoryCountAsync();

        var actor = await portal.ActorAsync(portal.Author);
        await using var scope = portal.Services.CreateAsyncScope();
        var file = new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", good[0], bad)));
        var result = await scope.ServiceProvider.GetRequiredService<MemoryImporter>().ImportAsync(actor, file, new ImportOptions("bad.jsonl"));

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors);
        Assert.Equal((2, "sourceModel"), (error.Line, error.Field));
        Assert.Equal(before, await MemoryCountAsync());
    }

    [Fact]
    public async Task ContributeForm_UnstorableCharacter_IsAFieldErrorOfTheWorkflow()
    {
        var draft = MemoryPortal.Insight("Title with a NUL\0 inside");

        var result = await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, null, draft, submit: false));

        Assert.False(result.Succeeded);
        Assert.Equal("title", Assert.Single(result.Errors).Field);
    }
}
