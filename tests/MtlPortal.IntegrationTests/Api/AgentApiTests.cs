using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.IntegrationTests.Memories;
using MtlPortal.Memories;
using MtlPortal.Persistence;

namespace MtlPortal.IntegrationTests.Api;

public class AgentApiTests(ApiPortal portal) : IClassFixture<ApiPortal>
{
    private const string Search = "/api/v1/memories/search";

    private static object SearchBody(string query = "check the project's own tests before finishing", int k = 10, string[]? excludeDomains = null) =>
        new { query, k, excludeDomains };

    private async Task<Guid> ApprovedAsync(string title, string domain = "swe-bench", string? content = null)
    {
        var draft = MemoryPortal.Insight(title, content) with { Provenance = new Provenance(domain, null, "gpt-5-mini", SourceOutcome.Success, []) };
        var id = await portal.SubmittedAsync(draft: draft);
        var approved = await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));
        Assert.True(approved.Succeeded);
        return id;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task NoKey_Is401WithProblemDetails()
    {
        var response = await portal.CreateClient().PostAsJsonAsync(Search, SearchBody());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("An API key is required.", (await JsonAsync(response)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task RevokedOrExpiredOrUnknownKey_Is401()
    {
        var revokedSecret = await portal.SecretAsync(portal.Author, [ApiScopes.MemoriesRead]);
        var keys = portal.Services.GetRequiredService<ApiKeyService>();
        var revoked = (await keys.ListAsync(portal.Author))[0];
        await keys.RevokeAsync(revoked.Id, await portal.ActorAsync(portal.Author));
        var expiredSecret = await portal.SecretAsync(portal.Author, [ApiScopes.MemoriesRead], expiresInDays: 1);
        await using (var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            await db.ApiKeys.Where(k => k.ExpiresAt != null).ExecuteUpdateAsync(k => k.SetProperty(x => x.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1)));
        }

        foreach (var secret in new[] { revokedSecret, expiredSecret, "mtl_not-a-real-key" })
        {
            var client = portal.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            var response = await client.PostAsJsonAsync(Search, SearchBody());
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task MissingScope_Is403NamingTheScope()
    {
        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.FeedbackWrite);

        var response = await client.PostAsJsonAsync(Search, SearchBody());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("memories:read", (await JsonAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Search_ReturnsApprovedMemoriesWithScoresRetrievalIdAndPromptBlock_AndLogsIt()
    {
        var id = await ApprovedAsync("Read the whole error output", content: "When a command fails, read its complete error output before retrying. The first line rarely names the real cause.");
        var client = await portal.KeyClientAsync(portal.Colleague, ApiScopes.MemoriesRead);

        var response = await client.PostAsJsonAsync(Search, new { query = "A command failed; read the complete error output to find the real cause", k = 3 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        var memories = body.GetProperty("memories").EnumerateArray().ToList();
        var hit = Assert.Single(memories, m => m.GetProperty("memory").GetProperty("id").GetGuid() == id);
        Assert.InRange(hit.GetProperty("score").GetDouble(), 0.3, 1.0);
        Assert.Equal(Enumerable.Range(1, memories.Count), memories.Select(m => m.GetProperty("rank").GetInt32()));
        Assert.InRange(memories.Count, 1, 3);
        Assert.Equal(memories.Select(m => m.GetProperty("score").GetDouble()).OrderByDescending(s => s), memories.Select(m => m.GetProperty("score").GetDouble()));
        var prompt = body.GetProperty("promptBlock").GetString()!;
        Assert.Contains("### Memory 1 (insight)", prompt);
        Assert.Contains("Memory used:", prompt);
        var retrievalId = body.GetProperty("retrievalId").GetGuid();

        var log = portal.Services.GetRequiredService<RetrievalLog>();
        await log.FlushAsync();
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var logged = await db.Retrievals.Include(r => r.Hits).SingleAsync(r => r.Id == retrievalId);
        Assert.Equal(portal.Colleague, logged.UserId);
        Assert.Equal(64, logged.QueryHash.Length);
        Assert.DoesNotContain("declaring", logged.QueryHash + logged.Filters);
        Assert.Contains(logged.Hits, h => h.MemoryId == id && h.Rank == 1);
    }

    [Fact]
    public async Task NoEndpoint_EverServesAMemoryThatIsNotApproved()
    {
        var draft = (await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, null, MemoryPortal.Insight("Never served draft"), submit: false))).Value!.Id;
        var inReview = await portal.SubmittedAsync(draft: MemoryPortal.Insight("Never served review"));
        var changes = await portal.SubmittedAsync(draft: MemoryPortal.Insight("Never served changes"));
        await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, changes, ReviewDecision.RequestChanges, "Again."));
        var rejected = await portal.SubmittedAsync(draft: MemoryPortal.Insight("Never served rejected"));
        await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, rejected, ReviewDecision.Reject, "No."));
        var archived = await ApprovedAsync("Never served archived");
        await portal.AsAsync(portal.Reviewer2, (w, a) => w.Authoring.ArchiveAsync(a, archived, null));
        var unapproved = new[] { draft, inReview, changes, rejected, archived };
        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesRead);

        var search = await JsonAsync(await client.PostAsJsonAsync(Search, new { query = "Never served; run the project's own checks", k = 50, kinds = new[] { "insight", "summary", "workflow", "trajectory" } }));
        var listed = await JsonAsync(await client.GetAsync("/api/v1/memories?limit=500"));

        var searchedIds = search.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("memory").GetProperty("id").GetGuid()).ToList();
        var listedIds = listed.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetGuid()).ToList();
        Assert.Empty(unapproved.Intersect(searchedIds));
        Assert.Empty(unapproved.Intersect(listedIds));
        Assert.DoesNotContain("Never served", search.GetProperty("promptBlock").GetString());
        foreach (var id in unapproved)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/memories/{id}")).StatusCode);
        }
    }

    [Fact]
    public async Task Search_LeaveOneDomainOut_ExcludesExactlyTheNamedDomains()
    {
        var fromSwe = await ApprovedAsync("Leave out: reproduce first", "lodo-swe");
        var fromMbpp = await ApprovedAsync("Leave out: test edge cases", "lodo-mbpp");
        var fromWeb = await ApprovedAsync("Leave out: read the error", "lodo-web");
        var client = await portal.KeyClientAsync(portal.Colleague, ApiScopes.MemoriesRead);

        var response = await JsonAsync(await client.PostAsJsonAsync(Search, SearchBody("Leave out: run the project's own checks", 50, ["LODO-SWE", "lodo-mbpp"])));

        var ids = response.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("memory").GetProperty("id").GetGuid()).ToList();
        Assert.DoesNotContain(fromSwe, ids);
        Assert.DoesNotContain(fromMbpp, ids);
        Assert.Contains(fromWeb, ids);
        Assert.All(response.GetProperty("memories").EnumerateArray(), m =>
            Assert.DoesNotContain(m.GetProperty("memory").GetProperty("sourceDomain").GetString(), new[] { "lodo-swe", "lodo-mbpp" }));
    }

    [Theory]
    [InlineData("{\"query\": \"\"}", "query")]
    [InlineData("{\"query\": \"x\", \"k\": 0}", "k")]
    [InlineData("{\"query\": \"x\", \"k\": \"three\"}", "k")]
    [InlineData("{\"query\": \"x\", \"kinds\": [\"poem\"]}", "kinds")]
    [InlineData("{\"query\": \"x\", \"teams\": [\"Nobody\"]}", "teams")]
    [InlineData("{\"query\": \"x\", \"colour\": \"red\"}", "colour")]
    [InlineData("not json", "")]
    public async Task Search_BadBody_Is400WithTheFieldError(string body, string field)
    {
        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesRead);

        var response = await client.PostAsync(Search, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await JsonAsync(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for '{field}' in {errors}");
        Assert.NotEmpty(messages.EnumerateArray());
    }

    [Fact]
    public async Task Search_BodyOverTheLimit_Is413()
    {
        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesRead);

        var response = await client.PostAsJsonAsync(Search, new { query = new string('a', 70_000) });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task SubmitMemory_LandsInReviewAndIsNotServed_UntilApprovedThroughTheApi()
    {
        // Reviewer1 writes too (Contributor and Reviewer), so the same person trying to approve it shows four eyes over the API.
        var author = await portal.KeyClientAsync(portal.Reviewer1, ApiScopes.MemoriesWrite, ApiScopes.MemoriesRead, ApiScopes.ReviewsWrite);
        var reviewer = await portal.KeyClientAsync(portal.Reviewer2, ApiScopes.ReviewsWrite);
        var line = """{"kind":"insight","title":"Submitted through the API","description":"Check how the environment runs its tests.","content":"Look for the project's test command before writing code. Run it after every change.","sourceDomain":"api-test","sourceModel":"gpt-5-mini","outcome":"success","tags":["testing"]}""";

        var submitted = await author.PostAsync("/api/v1/memories", new StringContent(line, System.Text.Encoding.UTF8, "application/json"));
        var id = (await JsonAsync(submitted)).GetProperty("id").GetGuid();
        var before = await author.GetAsync($"/api/v1/memories/{id}");
        var queue = await JsonAsync(await reviewer.GetAsync("/api/v1/reviews/queue"));
        var selfReview = await author.PostAsJsonAsync($"/api/v1/memories/{id}/reviews", new { decision = "approve" });
        var noComment = await reviewer.PostAsJsonAsync($"/api/v1/memories/{id}/reviews", new { decision = "reject" });
        var approved = await reviewer.PostAsJsonAsync($"/api/v1/memories/{id}/reviews", new { decision = "approve" });
        var after = await author.GetAsync($"/api/v1/memories/{id}");

        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        Assert.Equal("inreview", (await JsonAsync(submitted)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Contains(queue.EnumerateArray(), q => q.GetProperty("id").GetGuid() == id);
        Assert.Equal(HttpStatusCode.Forbidden, selfReview.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noComment.StatusCode);
        Assert.True((await JsonAsync(noComment)).GetProperty("errors").TryGetProperty("comment", out _));
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("Submitted through the API", (await JsonAsync(after)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task SubmitMemory_NamesItsTeamInAnyCase_AsImportAndSearchDo()
    {
        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesWrite);
        var line = """{"kind":"insight","title":"Team named in lower case","description":"Check how the environment runs its tests.","content":"Look for the project's test command before writing code.","sourceDomain":"api-test","sourceModel":"human","team":"alpha"}""";

        var response = await client.PostAsync("/api/v1/memories", new StringContent(line, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await JsonAsync(response)).GetProperty("id").GetGuid();
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal("Alpha", await db.Memories.Where(m => m.Id == id).Select(m => m.Team!.Name).SingleAsync());
    }

    [Fact]
    public async Task SubmitMemory_InvalidLine_Is400WithFieldErrors()
    {
        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesWrite);

        var response = await client.PostAsync("/api/v1/memories", new StringContent("""{"kind":"insight","title":"","description":"One.","content":"Two.","sourceDomain":"x","sourceModel":"human"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty("title", out _));
    }

    [Fact]
    public async Task Review_StaleExpectedVersion_Is409()
    {
        var id = await portal.SubmittedAsync(draft: MemoryPortal.Insight("Conflict over the API"));
        var reviewer = await portal.KeyClientAsync(portal.Reviewer1, ApiScopes.ReviewsWrite);

        var response = await reviewer.PostAsJsonAsync($"/api/v1/memories/{id}/reviews", new { decision = "approve", expectedVersion = 0 });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task Feedback_AttributesTheOutcomeToTheMemoriesUsed_AndRefusesOthers()
    {
        var id = await ApprovedAsync("Feedback target");
        var client = await portal.KeyClientAsync(portal.Colleague, ApiScopes.MemoriesRead, ApiScopes.FeedbackWrite);
        var search = await JsonAsync(await client.PostAsJsonAsync(Search, new { query = "Feedback target: run the project's own checks", k = 3 }));
        var retrievalId = search.GetProperty("retrievalId").GetGuid();
        var returned = search.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("memory").GetProperty("id").GetGuid()).ToList();
        Assert.Contains(id, returned);

        var stranger = await client.PostAsJsonAsync("/api/v1/feedback", new { retrievalId, outcome = "success", memoryIds = new[] { Guid.NewGuid() } });
        var badOutcome = await client.PostAsJsonAsync("/api/v1/feedback", new { retrievalId, outcome = "great" });
        var recorded = await client.PostAsJsonAsync("/api/v1/feedback", new { retrievalId, outcome = "success", memoryIds = new[] { id }, note = "Used memory 1." });

        Assert.Equal(HttpStatusCode.BadRequest, stranger.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badOutcome.StatusCode);
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var feedback = await db.Feedback.SingleAsync(f => f.RetrievalId == retrievalId);
        Assert.Equal((SourceOutcome.Success, id), (feedback.Outcome, feedback.MemoryIds.Single()));

        var second = await client.PostAsJsonAsync("/api/v1/feedback", new { retrievalId, outcome = "failure" });
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("already reported", (await JsonAsync(second)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(SourceOutcome.Success, (await db.Feedback.SingleAsync(f => f.RetrievalId == retrievalId)).Outcome);
    }

    [Fact]
    public async Task Feedback_ReportedManyTimesAtOnceForOneSearch_IsRecordedOnce_AndTheOthersGet409()
    {
        await ApprovedAsync("Feedback sent at once");
        var client = await portal.KeyClientAsync(portal.Colleague, ApiScopes.MemoriesRead, ApiScopes.FeedbackWrite);
        var search = await JsonAsync(await client.PostAsJsonAsync(Search, new { query = "Feedback sent at once: run the project's own checks", k = 3 }));
        var retrievalId = search.GetProperty("retrievalId").GetGuid();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.PostAsJsonAsync("/api/v1/feedback", new { retrievalId, outcome = i % 2 == 0 ? "success" : "failure" })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("already reported", (await JsonAsync(refused)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.Feedback.CountAsync(f => f.RetrievalId == retrievalId));
    }

    [Fact]
    public async Task Feedback_TheDatabaseItselfTakesOneOutcomePerSearch()
    {
        await ApprovedAsync("Feedback kept by the database");
        var client = await portal.KeyClientAsync(portal.Colleague, ApiScopes.MemoriesRead, ApiScopes.FeedbackWrite);
        var search = await JsonAsync(await client.PostAsJsonAsync(Search, new { query = "Feedback kept by the database", k = 3 }));
        var retrievalId = search.GetProperty("retrievalId").GetGuid();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/feedback", new { retrievalId, outcome = "success" })).StatusCode);

        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var first = await db.Feedback.AsNoTracking().SingleAsync(f => f.RetrievalId == retrievalId);
        db.Feedback.Add(new Feedback
        {
            Id = Guid.CreateVersion7(), RetrievalId = retrievalId, UserId = first.UserId, Outcome = SourceOutcome.Failure, MemoryIds = [], At = DateTimeOffset.UtcNow,
        });

        var refused = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Equal(Npgsql.PostgresErrorCodes.UniqueViolation, Assert.IsType<Npgsql.PostgresException>(refused.InnerException).SqlState);
    }

    [Fact]
    public async Task ListMemories_PagesWithACursor_ThroughTheWholeApprovedPool()
    {
        for (var i = 0; i < 5; i++)
        {
            await ApprovedAsync($"Paged memory {i}");
        }

        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesRead);
        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await JsonAsync(await client.GetAsync($"/api/v1/memories?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}"));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.String ? page.GetProperty("nextCursor").GetString() : null;
        }
        while (cursor is not null);

        var all = await JsonAsync(await client.GetAsync("/api/v1/memories?limit=500"));
        Assert.Equal(all.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetGuid()), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheApi_ToAnyoneWithoutAKey()
    {
        var anonymous = await portal.CreateBrowserlikeClient().GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        var paths = (await JsonAsync(anonymous)).GetProperty("paths");
        foreach (var path in new[] { "/api/v1/memories/search", "/api/v1/memories/{id}", "/api/v1/memories", "/api/v1/reviews/queue", "/api/v1/memories/{id}/reviews", "/api/v1/feedback" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is not in the OpenAPI document");
        }
    }
}

public class RateLimitTests(TightlyLimitedApiPortal portal) : IClassFixture<TightlyLimitedApiPortal>
{
    [Fact]
    public async Task OneKeyOverItsLimit_Gets429WithRetryAfter_WhileAnotherKeyIsServed()
    {
        var busy = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesRead);
        var other = await portal.KeyClientAsync(portal.Colleague, ApiScopes.MemoriesRead);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6 && limited is null; i++)
        {
            var response = await busy.GetAsync("/api/v1/memories");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.NotNull(limited);
        Assert.True(statuses.Take(3).All(s => s == HttpStatusCode.OK), string.Join(", ", statuses));
        Assert.True(limited!.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/v1/memories")).StatusCode);
    }
}

public class ApiKeyRulesTests(ApiPortal portal) : IClassFixture<ApiPortal>
{
    [Fact]
    public async Task CreateKey_WithAScopeTheUsersRolesCannotUse_IsRefused()
    {
        var result = await portal.Services.GetRequiredService<ApiKeyService>()
            .CreateAsync(portal.Author, "too much", [ApiScopes.MemoriesRead, ApiScopes.ReviewsWrite], null, MtlPortal.Auditing.AuditTrail.CliActor);

        Assert.Equal("Scopes", Assert.Single(result.Errors).Field);
        Assert.Contains("reviews:write", result.Errors[0].Message);
    }
}
