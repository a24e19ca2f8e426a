using Microsoft.Extensions.AI;
using MtlPortal.Llm;
using MtlPortal.Testing;

namespace MtlPortal.UnitTests.Llm;

public sealed class PortalChatClientTests : IAsyncLifetime
{
    private const string ApiKey = "sk-test-secret-456";

    private static readonly ChatMessage[] Conversation =
    [
        new(ChatRole.System, "You are a careful coding agent."),
        new(ChatRole.User, "Which tests cover the parser?"),
        new(ChatRole.Assistant, "ParserTests and LexerTests."),
        new(ChatRole.User, "Run them."),
    ];

    private FakeOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GetResponseAsync_Conversation_ReturnsServerReplyAndTokenUsage()
    {
        _server.Reply = messages => $"Running {messages.Count} messages worth of tests now";
        using var client = Client();

        var response = await client.GetResponseAsync(Conversation);

        Assert.Equal("Running 4 messages worth of tests now", response.Text);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(16, response.Usage?.InputTokenCount);  // 6 + 5 + 3 + 2 words
        Assert.Equal(7, response.Usage?.OutputTokenCount);
        Assert.Equal(23, response.Usage?.TotalTokenCount);
        Assert.Equal("gpt-test", response.ModelId);
    }

    [Fact]
    public async Task GetResponseAsync_Conversation_SendsRolesInOrderWithOptionsAndKey()
    {
        var received = new List<FakeChatMessage>();
        _server.Reply = messages => { received.AddRange(messages); return "ok"; };
        using var client = Client();

        await client.GetResponseAsync(Conversation, new ChatOptions { Temperature = 0.25f, MaxOutputTokens = 50 });

        Assert.Equal(
            [("system", "You are a careful coding agent."), ("user", "Which tests cover the parser?"), ("assistant", "ParserTests and LexerTests."), ("user", "Run them.")],
            received.Select(m => (m.Role, m.Content)));
        var body = Assert.Single(_server.Requests).Body;
        Assert.Equal("gpt-test", body.GetProperty("model").GetString());
        Assert.Equal(0.25, body.GetProperty("temperature").GetDouble(), 0.0001);
        Assert.Equal(50, body.GetProperty("max_completion_tokens").GetInt32());
        Assert.Equal($"Bearer {ApiKey}", _server.Requests[0].Authorization);
    }

    [Fact]
    public async Task GetResponseAsync_Instructions_SentAsLeadingSystemMessage()
    {
        var received = new List<FakeChatMessage>();
        _server.Reply = messages => { received.AddRange(messages); return "ok"; };
        using var client = Client();

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { Instructions = "Answer briefly." });

        Assert.Equal([new FakeChatMessage("system", "Answer briefly."), new FakeChatMessage("user", "Hi")], received);
    }

    [Fact]
    public async Task GetResponseAsync_ReplyLongerThanMaxOutputTokens_ReportsLengthFinish()
    {
        _server.Reply = _ => "one two three four five six";
        using var client = Client();

        var response = await client.GetResponseAsync(Conversation, new ChatOptions { MaxOutputTokens = 3 });

        Assert.Equal("one two three", response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Conversation_StreamsReplyInSeveralUpdatesThenUsage()
    {
        _server.Reply = _ => "Running ParserTests and LexerTests now";
        using var client = Client();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Conversation))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        Assert.Equal("Running ParserTests and LexerTests now", response.Text);
        Assert.True(updates.Count(u => u.Text.Length > 0) >= 5, $"only {updates.Count} updates");
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(16, response.Usage?.InputTokenCount);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
        Assert.True(Assert.Single(_server.Requests).Body.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task GetResponseAsync_Server500_ThrowsWithStatusEndpointAndServerMessageButNotTheKey()
    {
        _server.FailRequests(500);
        using var client = Client();

        var error = await Assert.ThrowsAsync<ModelServiceException>(() => client.GetResponseAsync(Conversation));

        Assert.Equal(500, error.StatusCode);
        Assert.Contains($"The model server at {_server.Endpoint} answered HTTP 500", error.Message);
        Assert.Contains("Fake failure", error.Message);
        Assert.DoesNotContain(ApiKey, error.ToString());
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Server500_ThrowsModelServiceException()
    {
        _server.FailRequests(500);
        using var client = Client();

        var error = await Assert.ThrowsAsync<ModelServiceException>(
            async () => await client.GetStreamingResponseAsync(Conversation).ToChatResponseAsync());

        Assert.Equal(500, error.StatusCode);
        Assert.Contains("chat completion", error.Message);
    }

    [Fact]
    public async Task GetResponseAsync_ServerSlowerThanTimeout_ThrowsNamingTheTimeoutSetting()
    {
        _server.ResponseDelay = TimeSpan.FromSeconds(5);
        using var client = PortalChatClient.Create(new LlmOptions
        {
            Endpoint = _server.Endpoint.ToString(),
            Model = "gpt-test",
            TimeoutSeconds = 1,
            MaxRetries = 0,
        });

        var error = await Assert.ThrowsAsync<ModelServiceException>(() => client.GetResponseAsync(Conversation));

        Assert.Contains("did not answer a chat completion request within 1 s (Llm:TimeoutSeconds)", error.Message);
    }

    [Fact]
    public async Task GetResponseAsync_CallerCancels_ThrowsOperationCanceled()
    {
        _server.ResponseDelay = TimeSpan.FromSeconds(5);
        using var client = Client();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(Conversation, cancellationToken: cancel.Token));
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitedWithRetryAfter_WaitsThatLongThenSucceeds()
    {
        _server.FailRequests(429, count: 1, retryAfter: TimeSpan.FromSeconds(2));
        _server.Reply = _ => "after the wait";
        using var client = new PortalChatClient(Settings(maxRetries: 2), "gpt-test");

        var response = await client.GetResponseAsync(Conversation);

        Assert.Equal("after the wait", response.Text);
        var requests = _server.Requests;
        Assert.Equal(2, requests.Count);
        // The backoff alone would have retried after ~10 ms; the server asked for 2 s.
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromSeconds(1.9), $"retried after {requests[1].ReceivedAt - requests[0].ReceivedAt}");
    }

    [Fact]
    public async Task GetResponseAsync_ServerErrorsThenSuccess_RetriesWithinTheLimit()
    {
        _server.FailRequests(503, count: 2);
        using var client = new PortalChatClient(Settings(maxRetries: 2), "gpt-test");

        var response = await client.GetResponseAsync(Conversation);

        Assert.StartsWith("You said:", response.Text);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task GetResponseAsync_RateLimitedMoreOftenThanRetries_ThrowsWith429()
    {
        _server.FailRequests(429);
        using var client = new PortalChatClient(Settings(maxRetries: 1), "gpt-test");

        var error = await Assert.ThrowsAsync<ModelServiceException>(() => client.GetResponseAsync(Conversation));

        Assert.Equal(429, error.StatusCode);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public void Constructor_NoModel_ThrowsNamingTheKey()
    {
        var error = Assert.Throws<ArgumentException>(
            () => PortalChatClient.Create(new LlmOptions { Endpoint = _server.Endpoint.ToString() }));

        Assert.Contains("Llm:Model is empty", error.Message);
    }

    private PortalChatClient Client() => PortalChatClient.Create(new LlmOptions
    {
        Endpoint = _server.Endpoint.ToString(),
        Model = "gpt-test",
        ApiKey = ApiKey,
        MaxRetries = 0,
    });

    private ModelServerSettings Settings(int maxRetries) =>
        new(_server.Endpoint, ApiKey, TimeSpan.FromSeconds(30), maxRetries, "Llm:TimeoutSeconds") { RetryBaseDelay = TimeSpan.FromMilliseconds(10) };
}
