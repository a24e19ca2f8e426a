using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Memories;
using MtlPortal.Persistence;

namespace MtlPortal.IntegrationTests.Api;

/// <summary>An API portal whose LLM is a stand-in that answers plan prompts with a plan the test sets.</summary>
public sealed class PlanningApiPortal : ApiPortal
{
    public FakeOpenAiServer Llm { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Llm = await FakeOpenAiServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Llm.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Llm:Endpoint", Llm.Endpoint.ToString());
        builder.UseSetting("Llm:Model", "fake-planner");
        builder.UseSetting("Llm:MaxRetries", "0");
    }
}

public class PlanQueryTests(PlanningApiPortal portal) : IClassFixture<PlanningApiPortal>
{
    private const string Search = "/api/v1/memories/search";

    [Fact]
    public async Task PlanQuery_EmbedsThePlanTheModelWrote_ReturnsIt_AndAsksTheModelOncePerTask()
    {
        // The task shares its words with the distractor; the plan shares them with the memory that fits.
        var fits = await ApprovedAsync("Bisect the history", "Halve the range of versions until the first bad one is found.", "Mark a good and a bad version, test the middle, repeat.");
        var distractor = await ApprovedAsync("Export columns as CSV files", "Write the report's columns to a CSV file with a header line.", "Use the standard CSV writer so that quoting of commas is right.");
        const string Task = "The CSV export writes an extra blank line since some release; find out why.";
        const string Plan = "Find a good version and a bad version. Halve the range of versions, testing the middle each time, until the first bad one is found. Then read that change.";
        portal.Llm.Reply = messages => messages[^1].Content.Contains(Task, StringComparison.Ordinal) ? Plan : "unexpected prompt";
        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesRead);
        var before = portal.Llm.Requests.Count;

        var byTask = await JsonAsync(await client.PostAsJsonAsync(Search, new { query = Task, k = 1 }));
        var byPlan = await JsonAsync(await client.PostAsJsonAsync(Search, new { query = Task, k = 1, queryMode = "plan" }));
        var again = await JsonAsync(await client.PostAsJsonAsync(Search, new { query = Task, k = 1, queryMode = "plan" }));

        Assert.Equal(distractor, FirstId(byTask));
        Assert.Equal(fits, FirstId(byPlan));
        Assert.Equal(Plan, byPlan.GetProperty("plan").GetString());
        Assert.Equal(Plan, again.GetProperty("plan").GetString());
        Assert.Equal(before + 1, portal.Llm.Requests.Count);
        Assert.Contains("3 to 4 sentences", portal.Llm.Requests[^1].Body.GetRawText(), StringComparison.Ordinal);

        // The search log tells the two apart by mode; both searches are of the same task.
        await portal.Services.GetRequiredService<RetrievalLog>().FlushAsync();
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var loggedTask = await db.Retrievals.SingleAsync(r => r.Id == byTask.GetProperty("retrievalId").GetGuid());
        var loggedPlan = await db.Retrievals.SingleAsync(r => r.Id == byPlan.GetProperty("retrievalId").GetGuid());
        Assert.Equal(loggedTask.QueryHash, loggedPlan.QueryHash);
        Assert.Equal("task", JsonDocument.Parse(loggedTask.Filters).RootElement.GetProperty("queryMode").GetString());
        Assert.Equal("plan", JsonDocument.Parse(loggedPlan.Filters).RootElement.GetProperty("queryMode").GetString());
    }

    [Fact]
    public async Task UnknownQueryMode_Is400NamingTheField()
    {
        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesRead);

        var response = await client.PostAsJsonAsync(Search, new { query = "anything", queryMode = "dream" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("task (the default) or plan", (await JsonAsync(response)).GetProperty("errors").GetProperty("queryMode")[0].GetString());
    }

    [Fact]
    public async Task PlanQuery_ModelDown_Is502SayingSoAndNothingIsLogged()
    {
        portal.Llm.FailRequests(500, 1);
        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesRead);

        var response = await client.PostAsJsonAsync(Search, new { query = "A task no plan was cached for.", queryMode = "plan" });

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("LLM", (await JsonAsync(response)).GetProperty("title").GetString());
    }

    private async Task<Guid> ApprovedAsync(string title, string description, string content)
    {
        var draft = new MemoryDraft(new InsightContent(title, description, content), new Provenance("mixed", null, "gpt-5-mini", SourceOutcome.Success, []));
        var id = await portal.SubmittedAsync(draft: draft);
        Assert.True((await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null))).Succeeded);
        return id;
    }

    private static Guid FirstId(JsonElement body) => body.GetProperty("memories")[0].GetProperty("memory").GetProperty("id").GetGuid();

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}

public class PlanQueryWithoutLlmTests(ApiPortal portal) : IClassFixture<ApiPortal>
{
    [Fact]
    public async Task PlanQuery_NoLlmConfigured_Is400SayingWhatToSet()
    {
        var client = await portal.KeyClientAsync(portal.Author, ApiScopes.MemoriesRead);

        var response = await client.PostAsJsonAsync("/api/v1/memories/search", new { query = "make a failing test pass", queryMode = "plan" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").GetProperty("queryMode")[0].GetString();
        Assert.Contains("Llm:Endpoint and Llm:Model", error);
    }
}
