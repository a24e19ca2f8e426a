using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using MtlPortal.Agents;
using MtlPortal.Mcp;

namespace MtlPortal.McpTests;

/// <summary>The same tools over streamable HTTP at the portal's <c>/mcp</c>, reached with the SDK's own client, as a remote agent would.</summary>
public class McpHttpTests(McpPortal portal) : IClassFixture<McpPortal>
{
    private const string Query = "A test fails after my change; find out why and verify the fix with the project's tests";

    private Uri Endpoint => new(portal.ServerAddress, "/mcp");

    private async Task<McpClient> ConnectAsync(params string[] scopes)
    {
        var key = await portal.KeyAsync(scopes.Length > 0 ? scopes : [ApiScopes.MemoriesRead, ApiScopes.FeedbackWrite]);
        return await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = Endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {key}" },
        }));
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    [Fact]
    public async Task WithoutAnApiKey_McpAnswers401AndNoTool()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("search_memories", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAWrongApiKey_McpAnswers401()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Authorization = new("Bearer", "mtl_notakey_0000000000000000000000000000");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task WithAKey_ListsTheSameFourToolsAsTheStdioServer()
    {
        await using var client = await ConnectAsync();

        var tools = await client.ListToolsAsync();

        Assert.Equal(["get_memory", "report_outcome", "search_memories", "submit_memory"], tools.Select(t => t.Name).Order());
        Assert.Equal("mtl-portal", client.ServerInfo?.Name);
    }

    [Fact]
    public async Task SearchMemories_ReturnsWhatTheRestSearchReturns_AndTheOutcomeCanBeReported()
    {
        await using var client = await ConnectAsync();

        var result = await client.CallToolAsync(MemoryTools.SearchMemories, new Dictionary<string, object?> { ["query"] = Query, ["k"] = 3, ["excludeDomains"] = new[] { "swe-bench" } });

        Assert.NotEqual(true, result.IsError);
        var found = result.StructuredContent!.Value.Deserialize<SearchMemoriesResult>(PortalApi.Json)!;
        Assert.Equal(3, found.Memories.Count);
        Assert.DoesNotContain(found.Memories, m => m.SourceDomain == "swe-bench");

        using var rest = new HttpClient { BaseAddress = portal.ServerAddress };
        rest.DefaultRequestHeaders.Authorization = new("Bearer", await portal.KeyAsync(ApiScopes.MemoriesRead));
        var restAnswer = await (await rest.PostAsJsonAsync("/api/v1/memories/search", new { query = Query, k = 3, excludeDomains = new[] { "swe-bench" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(
            restAnswer.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("memory").GetProperty("id").GetGuid()),
            found.Memories.Select(m => m.Id));

        var reported = await client.CallToolAsync(MemoryTools.ReportOutcome, new Dictionary<string, object?>
        {
            ["retrievalId"] = found.RetrievalId.ToString(),
            ["outcome"] = "success",
            ["memoryIds"] = new[] { found.Memories[0].Id.ToString() },
        });
        Assert.NotEqual(true, reported.IsError);
        Assert.Contains("Recorded success", Text(reported), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWronglyTypedArgument_IsAToolErrorNamingIt_OverHttpToo()
    {
        await using var client = await ConnectAsync();

        var result = await client.CallToolAsync(MemoryTools.SearchMemories, new Dictionary<string, object?> { ["query"] = Query, ["k"] = "3" });

        Assert.True(result.IsError);
        Assert.Contains("k: must be an integer from 1 to 50.", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APlanQueryOnAPortalWithoutAnLlm_IsAToolErrorSayingWhatToSet()
    {
        await using var client = await ConnectAsync();

        var result = await client.CallToolAsync(MemoryTools.SearchMemories, new Dictionary<string, object?> { ["query"] = Query, ["queryMode"] = "plan" });

        Assert.True(result.IsError);
        Assert.Contains("Llm:Endpoint and Llm:Model", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecondOutcomeForTheSameSearch_IsRefusedOverHttpToo()
    {
        await using var client = await ConnectAsync();
        var found = (await client.CallToolAsync(MemoryTools.SearchMemories, new Dictionary<string, object?> { ["query"] = Query }))
            .StructuredContent!.Value.Deserialize<SearchMemoriesResult>(PortalApi.Json)!;
        var first = await client.CallToolAsync(MemoryTools.ReportOutcome, new Dictionary<string, object?> { ["retrievalId"] = found.RetrievalId.ToString(), ["outcome"] = "failure" });

        var second = await client.CallToolAsync(MemoryTools.ReportOutcome, new Dictionary<string, object?> { ["retrievalId"] = found.RetrievalId.ToString(), ["outcome"] = "success" });

        Assert.NotEqual(true, first.IsError);
        Assert.True(second.IsError);
        Assert.Contains("already reported for this search", Text(second), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AToolOutsideTheKeysScopes_IsAToolErrorNamingTheScope()
    {
        await using var client = await ConnectAsync(ApiScopes.MemoriesRead);

        var result = await client.CallToolAsync(MemoryTools.SubmitMemory, new Dictionary<string, object?>
        {
            ["kind"] = "insight",
            ["sourceDomain"] = "mbpp",
            ["sourceModel"] = "human",
            ["title"] = "Check the edges",
            ["description"] = "Try empty and extreme inputs before submitting.",
            ["content"] = "Before submitting, run the solution on an empty input and on the largest allowed one.",
        });

        Assert.True(result.IsError);
        Assert.Contains(ApiScopes.MemoriesWrite, Text(result), StringComparison.Ordinal);
    }
}
