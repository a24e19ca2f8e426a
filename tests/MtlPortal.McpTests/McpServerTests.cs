using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Mcp;
using MtlPortal.Memories;
using MtlPortal.Persistence;

namespace MtlPortal.McpTests;

/// <summary>The built MCP server over stdio, against a running portal.</summary>
public class McpServerTests(McpPortal portal) : IClassFixture<McpPortal>
{
    private const string Query = "A test fails after my change; find out why and verify the fix with the project's tests";

    private static string Text(JsonElement toolResult) =>
        string.Concat(toolResult.GetProperty("content").EnumerateArray().Where(c => c.GetProperty("type").GetString() == "text").Select(c => c.GetProperty("text").GetString()));

    private static bool IsError(JsonElement toolResult) =>
        toolResult.TryGetProperty("isError", out var isError) && isError.GetBoolean();

    private static JsonElement Succeeded(JsonElement toolResult) =>
        IsError(toolResult) ? throw new Xunit.Sdk.XunitException($"The tool failed: {Text(toolResult)}") : toolResult;

    private async Task<McpServerProcess> StartAsync(params string[] scopes) =>
        await McpServerProcess.StartInitializedAsync(portal.ServerAddress, await portal.KeyAsync(scopes.Length > 0 ? scopes : [ApiScopes.MemoriesRead, ApiScopes.FeedbackWrite]));

    [Fact]
    public async Task Initialize_AnswersWithTheServersNameProtocolVersionAndTools()
    {
        await using var server = await StartAsync();

        var initialize = server.Initialize;
        Assert.Equal("mtl-portal", initialize.GetProperty("serverInfo").GetProperty("name").GetString());
        Assert.Equal(McpServerProcess.ProtocolVersion, initialize.GetProperty("protocolVersion").GetString());
        Assert.True(initialize.GetProperty("capabilities").TryGetProperty("tools", out _));
        Assert.Contains("report_outcome", initialize.GetProperty("instructions").GetString());
    }

    [Fact]
    public async Task ToolsList_ListsTheFourToolsWithTheirInputSchemas()
    {
        await using var server = await StartAsync();

        var tools = (await server.RequestAsync("tools/list")).GetProperty("result").GetProperty("tools").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!);

        Assert.Equal(new[] { "get_memory", "report_outcome", "search_memories", "submit_memory" }, tools.Keys.Order());
        string[] Required(string tool) => [.. tools[tool].GetProperty("inputSchema").GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Order()];
        string[] Properties(string tool) => [.. tools[tool].GetProperty("inputSchema").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order()];
        Assert.Equal(["query"], Required("search_memories"));
        Assert.Equal(["excludeDomains", "k", "kinds", "minAbstraction", "query", "queryMode", "sourceModels", "teams"], Properties("search_memories"));
        Assert.Equal(["id"], Required("get_memory"));
        Assert.Equal(["kind", "sourceDomain", "sourceModel"], Required("submit_memory"));
        Assert.Contains("trajectorySteps", Properties("submit_memory"));
        Assert.Equal(["outcome", "retrievalId"], Required("report_outcome"));
        Assert.Equal(["memoryIds", "note", "outcome", "retrievalId"], Properties("report_outcome"));
        var search = tools["search_memories"].GetProperty("description").GetString()!;
        Assert.Contains("only insights", search);
        Assert.Contains("leave-one-domain-out", search);
        Assert.Contains("never returned", tools["submit_memory"].GetProperty("description").GetString());
        Assert.All(tools.Values, t => Assert.All(t.GetProperty("inputSchema").GetProperty("properties").EnumerateObject(),
            p => Assert.False(string.IsNullOrWhiteSpace(p.Value.GetProperty("description").GetString()), $"{t.GetProperty("name")}.{p.Name} has no description")));
    }

    [Fact]
    public async Task SearchMemories_ReturnsTheSameMemoriesInTheSameOrderAsTheRestApi()
    {
        var key = await portal.KeyAsync(ApiScopes.MemoriesRead);
        using var http = new HttpClient { BaseAddress = portal.ServerAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var direct = await http.PostAsJsonAsync("/api/v1/memories/search", new { query = Query, k = 4, excludeDomains = new[] { "mbpp" } });
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        var rest = JsonDocument.Parse(await direct.Content.ReadAsStringAsync()).RootElement;
        var restIds = rest.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("memory").GetProperty("id").GetGuid()).ToList();
        await using var server = await McpServerProcess.StartInitializedAsync(portal.ServerAddress, key);

        var result = Succeeded(await server.CallToolAsync("search_memories", new JsonObject { ["query"] = Query, ["k"] = 4, ["excludeDomains"] = new JsonArray("mbpp") }));

        Assert.Equal(4, restIds.Count);
        Assert.DoesNotContain(portal.Approved["Turn examples into assertions"], restIds);
        var structured = result.GetProperty("structuredContent");
        Assert.Equal(restIds, structured.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("id").GetGuid()));
        Assert.Equal(new[] { 1, 2, 3, 4 }, structured.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("rank").GetInt32()));
        Assert.Equal(rest.GetProperty("promptBlock").GetString(), structured.GetProperty("promptBlock").GetString());
        Assert.NotEqual(rest.GetProperty("retrievalId").GetGuid(), structured.GetProperty("retrievalId").GetGuid());

        // The text the model reads: the prompt block, then the ids in rank order, then the retrievalId to report with.
        var text = Text(result);
        Assert.StartsWith("## Memories from earlier tasks", text);
        var positions = restIds.Select(id => text.IndexOf(id.ToString(), StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p > 0));
        Assert.Equal(positions.Order(), positions);
        Assert.Contains($"retrievalId: {structured.GetProperty("retrievalId").GetGuid()}", text);
    }

    [Fact]
    public async Task ReportOutcome_WithTheRetrievalIdOfASearch_IsRecordedAgainstTheMemoriesUsed()
    {
        await using var server = await StartAsync();
        var search = Succeeded(await server.CallToolAsync("search_memories", new JsonObject { ["query"] = Query })).GetProperty("structuredContent");
        var retrievalId = search.GetProperty("retrievalId").GetGuid();
        var used = search.GetProperty("memories")[0].GetProperty("id").GetGuid();

        var report = Succeeded(await server.CallToolAsync("report_outcome", new JsonObject
        {
            ["retrievalId"] = retrievalId.ToString(),
            ["outcome"] = "success",
            ["memoryIds"] = new JsonArray(used.ToString()),
            ["note"] = "Reproducing first found the cause.",
        }));

        Assert.Equal("success", report.GetProperty("structuredContent").GetProperty("outcome").GetString());
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var feedback = await db.Feedback.SingleAsync(f => f.RetrievalId == retrievalId);
        Assert.Equal((SourceOutcome.Success, used), (feedback.Outcome, Assert.Single(feedback.MemoryIds)));
    }

    [Fact]
    public async Task ReportOutcome_ASecondTimeForTheSameSearch_IsRefusedAndTheFirstStands()
    {
        await using var server = await StartAsync();
        var retrievalId = Succeeded(await server.CallToolAsync("search_memories", new JsonObject { ["query"] = Query }))
            .GetProperty("structuredContent").GetProperty("retrievalId").GetGuid();
        Succeeded(await server.CallToolAsync("report_outcome", new JsonObject { ["retrievalId"] = retrievalId.ToString(), ["outcome"] = "success" }));

        var second = await server.CallToolAsync("report_outcome", new JsonObject { ["retrievalId"] = retrievalId.ToString(), ["outcome"] = "failure" });

        Assert.True(IsError(second));
        Assert.Contains("already reported for this search", Text(second), StringComparison.Ordinal);
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(SourceOutcome.Success, (await db.Feedback.SingleAsync(f => f.RetrievalId == retrievalId)).Outcome);
    }

    [Fact]
    public async Task MissingOrWronglyTypedArguments_AreAToolErrorNamingEachArgument()
    {
        await using var server = await StartAsync();

        var missing = await server.CallToolAsync("search_memories", new JsonObject { ["k"] = 3 });
        var wrongType = await server.CallToolAsync("search_memories", new JsonObject { ["query"] = Query, ["k"] = "three", ["kinds"] = "insight" });
        var unknown = await server.CallToolAsync("report_outcome", new JsonObject { ["retrievalId"] = Guid.NewGuid().ToString(), ["outcome"] = "success", ["notes"] = "typo" });

        Assert.True(IsError(missing));
        Assert.Contains("- query: is required.", Text(missing), StringComparison.Ordinal);
        Assert.True(IsError(wrongType));
        Assert.Contains("- k: must be an integer from 1 to 50.", Text(wrongType), StringComparison.Ordinal);
        Assert.Contains("- kinds: must be a list", Text(wrongType), StringComparison.Ordinal);
        Assert.True(IsError(unknown));
        Assert.Contains("- notes: is not an argument here", Text(unknown), StringComparison.Ordinal);
        Assert.DoesNotContain("An error occurred invoking", Text(missing) + Text(wrongType) + Text(unknown), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitMemory_ATrajectoryStepWithoutAnObservation_IsAcceptedAsTheSchemaSays()
    {
        await using var server = await StartAsync(ApiScopes.MemoriesWrite);
        var tools = (await server.RequestAsync("tools/list")).GetProperty("result").GetProperty("tools").EnumerateArray();
        var step = tools.Single(t => t.GetProperty("name").GetString() == "submit_memory")
            .GetProperty("inputSchema").GetProperty("properties").GetProperty("trajectorySteps").GetProperty("items");

        var submitted = await server.CallToolAsync("submit_memory", new JsonObject
        {
            ["kind"] = "trajectory",
            ["sourceDomain"] = "mbpp",
            ["sourceModel"] = "human",
            ["trajectorySteps"] = new JsonArray(new JsonObject { ["action"] = "run the tests" }, new JsonObject { ["action"] = "read the failure", ["observation"] = "one assertion failed" }),
        });

        Assert.Equal(["action"], step.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Succeeded(submitted);
    }

    [Fact]
    public async Task GetMemory_ReadsAnApprovedMemoryInFull()
    {
        await using var server = await StartAsync();
        var id = portal.Approved["Read the whole error output"];

        var result = Succeeded(await server.CallToolAsync("get_memory", new JsonObject { ["id"] = id.ToString() }));

        Assert.Equal(id, result.GetProperty("structuredContent").GetProperty("id").GetGuid());
        Assert.Equal("intercode-bash", result.GetProperty("structuredContent").GetProperty("sourceDomain").GetString());
        Assert.Contains("read its complete error output", Text(result));
        Assert.Contains("intercode-bash", Text(result));
    }

    [Fact]
    public async Task SubmitMemory_LandsInReview_AndIsNotServedUntilApproved()
    {
        await using var server = await StartAsync(ApiScopes.MemoriesRead, ApiScopes.MemoriesWrite);

        var submitted = Succeeded(await server.CallToolAsync("submit_memory", new JsonObject
        {
            ["kind"] = "insight",
            ["title"] = "Submitted over MCP",
            ["description"] = "Check how the environment runs its tests.",
            ["content"] = "Look for the project's test command before writing code. Run it after every change.",
            ["sourceDomain"] = "mcp-test",
            ["sourceModel"] = "gpt-5-mini",
            ["outcome"] = "success",
            ["tags"] = new JsonArray("testing"),
        }));
        var id = submitted.GetProperty("structuredContent").GetProperty("id").GetGuid();
        var read = await server.CallToolAsync("get_memory", new JsonObject { ["id"] = id.ToString() });

        Assert.Equal("inreview", submitted.GetProperty("structuredContent").GetProperty("status").GetString());
        Assert.Contains("until a reviewer approves it", Text(submitted));
        Assert.True(IsError(read));
        Assert.Contains("No approved memory has this id", Text(read));
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(MemoryStatus.InReview, (await db.Memories.SingleAsync(m => m.Id == id)).Status);
    }

    [Fact]
    public async Task SubmitMemory_InvalidFields_AreAToolErrorNamingEachField()
    {
        await using var server = await StartAsync(ApiScopes.MemoriesWrite);

        var result = await server.CallToolAsync("submit_memory", new JsonObject
        {
            ["kind"] = "insight",
            ["title"] = "",
            ["description"] = "One.",
            ["content"] = "Two.",
            ["goal"] = "Not a field of an insight.",
            ["sourceDomain"] = "mcp-test",
            ["sourceModel"] = "human",
        });

        Assert.True(IsError(result));
        Assert.Contains("status 400", Text(result));
        Assert.Contains("- goal:", Text(result));
        Assert.Contains("Correct the arguments named above", Text(result));
    }

    [Fact]
    public async Task SearchMemories_BadArgument_IsAToolErrorWithTheFieldError()
    {
        await using var server = await StartAsync();

        var result = await server.CallToolAsync("search_memories", new JsonObject { ["query"] = Query, ["kinds"] = new JsonArray("recipe") });

        Assert.True(IsError(result));
        Assert.Contains("- kinds: 'recipe' is not a kind", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadKey_IsAToolErrorThatNamesTheApiKey()
    {
        await using var server = await McpServerProcess.StartInitializedAsync(portal.ServerAddress, "mtl_not-a-real-key");

        var result = await server.CallToolAsync("search_memories", new JsonObject { ["query"] = Query });

        Assert.True(IsError(result));
        Assert.Contains("status 401", Text(result));
        Assert.Contains("The API key is unknown, revoked or expired", Text(result));
        Assert.Contains(McpSettings.ApiKeyVariable, Text(result));
    }

    [Fact]
    public async Task KeyWithoutTheScope_IsAToolErrorNamingTheScope()
    {
        await using var server = await StartAsync(ApiScopes.MemoriesRead);

        var result = await server.CallToolAsync("report_outcome", new JsonObject { ["retrievalId"] = Guid.NewGuid().ToString(), ["outcome"] = "success" });

        Assert.True(IsError(result));
        Assert.Contains("feedback:write", Text(result));
    }

    [Fact]
    public async Task ReportOutcome_MalformedRetrievalId_IsAToolErrorSayingSo()
    {
        await using var server = await StartAsync();

        var result = await server.CallToolAsync("report_outcome", new JsonObject { ["retrievalId"] = "the last search", ["outcome"] = "success" });

        Assert.True(IsError(result));
        Assert.Contains("retrievalId: 'the last search' is not a UUID", Text(result));
    }

    [Fact]
    public async Task UnreachablePortal_IsAToolErrorNamingTheAddress()
    {
        // A port that was free a moment ago: nothing listens there.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var server = await McpServerProcess.StartInitializedAsync(new Uri($"http://127.0.0.1:{port}"), "mtl_any");

        var result = await server.CallToolAsync("search_memories", new JsonObject { ["query"] = Query });

        Assert.True(IsError(result));
        Assert.Contains($"Could not reach the portal at http://127.0.0.1:{port}/", Text(result));
    }

    [Fact]
    public async Task MissingConfiguration_ExitsWithAMessageOnStandardErrorAndNothingOnStandardOutput()
    {
        await using var server = McpServerProcess.Start(new Dictionary<string, string>());

        var (exitCode, output) = await server.WaitForExitAsync();

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains("MTL_PORTAL_URL", server.StandardError);
        Assert.Contains("MTL_API_KEY", server.StandardError);
    }
}
