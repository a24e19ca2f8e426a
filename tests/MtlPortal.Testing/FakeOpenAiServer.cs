using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MtlPortal.Testing;

/// <summary>
/// A stand-in for an OpenAI-compatible model server, for tests only: a Kestrel server on 127.0.0.1 with a free
/// port that answers <c>/v1/chat/completions</c> (JSON, or SSE ending in <c>data: [DONE]</c> when
/// <c>stream: true</c>) and <c>/v1/embeddings</c> (float arrays, or base64 when <c>encoding_format: base64</c>).
/// Tests program its answers with <see cref="Reply"/> and <see cref="Embed"/>, read what the client sent from
/// <see cref="Requests"/>, make it fail with <see cref="FailRequests"/> (with a <c>Retry-After</c> if asked), and make
/// it call a tool with <see cref="CallTool"/>.
/// </summary>
/// <remarks>Token usage counts whitespace-separated words: input = words of all messages, output = words of the reply.</remarks>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    /// <summary>The creation time every response reports (2024-01-01T00:00:00Z).</summary>
    public const long CreatedUnixSeconds = 1_704_067_200;

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<FakeOpenAiRequest> _requests = [];
    private int _failuresLeft;
    private int _failureStatus;
    private TimeSpan? _failureRetryAfter;
    private int _completionCount;

    private FakeOpenAiServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The base address to configure a client with, ending in <c>/v1</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Maps the request's messages to the assistant's reply. By default it answers "You said: " + the last user message.</summary>
    public Func<IReadOnlyList<FakeChatMessage>, string> Reply { get; set; } =
        messages => "You said: " + (messages.LastOrDefault(m => m.Role == "user")?.Content ?? "");

    /// <summary>
    /// Decides, from the request's messages, whether the assistant calls a tool instead of answering; null (the
    /// default, or a null result) answers with <see cref="Reply"/>. Only for requests that are not streamed.
    /// </summary>
    public Func<IReadOnlyList<FakeChatMessage>, FakeToolCall?>? CallTool { get; set; }

    /// <summary>
    /// Maps one input text and the vector length to its embedding. By default a deterministic pseudo-random vector
    /// that is deliberately not of length 1, so tests can see whether the client normalises.
    /// </summary>
    public Func<string, int, float[]> Embed { get; set; } = DefaultEmbedding;

    /// <summary>The vector length used when a request does not send <c>dimensions</c>.</summary>
    public int NativeDimensions { get; set; } = 8;

    /// <summary>How long the fake waits before answering, to exercise a client's timeout.</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>Every request received so far, failed ones included, in arrival order.</summary>
    public IReadOnlyList<FakeOpenAiRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        // An empty content root, so the test host's appsettings.json (with its Urls) is not picked up.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeOpenAiServer(app);
        RequestDelegate handler = server.HandleAsync;
        app.Run(handler); // the pipeline is built on start, so it must be in place before
        await app.StartAsync();
        server.Endpoint = new Uri(new Uri(app.Urls.First()), "/v1");
        return server;
    }

    /// <summary>
    /// Answers the next <paramref name="count"/> requests with <paramref name="statusCode"/> and an OpenAI-style
    /// error body ("Fake failure"), with a <c>Retry-After</c> header of whole seconds when <paramref name="retryAfter"/>
    /// is given; requests after that succeed again.
    /// </summary>
    public void FailRequests(int statusCode, int count = int.MaxValue, TimeSpan? retryAfter = null)
    {
        lock (_gate)
        {
            _failureStatus = statusCode;
            _failuresLeft = count;
            _failureRetryAfter = retryAfter;
        }
    }

    /// <summary>The default <see cref="Embed"/>: the same text and length always give the same vector.</summary>
    public static float[] DefaultEmbedding(string text, int dimensions)
    {
        var seed = 2166136261u;
        foreach (var c in text)
        {
            seed = (seed ^ c) * 16777619u;
        }

        var random = new Random((int)seed);
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] = (float)(random.NextDouble() * 4 - 2);
        }

        return vector;
    }

    /// <summary>The fake's token count: whitespace-separated words.</summary>
    public static int CountTokens(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "The request body is not JSON.");
            return;
        }

        var path = context.Request.Path.Value ?? "";
        int? failure = null;
        TimeSpan? retryAfter = null;
        lock (_gate)
        {
            _requests.Add(new FakeOpenAiRequest(path, body, context.Request.Headers.Authorization.ToString(), DateTimeOffset.UtcNow));
            if (_failuresLeft > 0)
            {
                _failuresLeft--;
                failure = _failureStatus;
                retryAfter = _failureRetryAfter;
            }
        }

        if (ResponseDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(ResponseDelay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up
            }
        }

        if (failure is { } status)
        {
            if (retryAfter is { } wait)
            {
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await WriteErrorAsync(context, status, "Fake failure");
            return;
        }

        switch (path)
        {
            case "/v1/chat/completions" when context.Request.Method == HttpMethods.Post:
                await ChatAsync(context, body);
                break;
            case "/v1/embeddings" when context.Request.Method == HttpMethods.Post:
                await EmbeddingsAsync(context, body);
                break;
            default:
                await WriteErrorAsync(context, StatusCodes.Status404NotFound, $"No route {context.Request.Method} {path}.");
                break;
        }
    }

    private async Task ChatAsync(HttpContext context, JsonElement body)
    {
        var model = body.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "";
        var messages = body.GetProperty("messages").EnumerateArray()
            .Select(x => new FakeChatMessage(x.GetProperty("role").GetString() ?? "", ContentOf(x)))
            .ToList();
        var streamed = body.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True;
        var id = $"chatcmpl-fake-{Interlocked.Increment(ref _completionCount)}";
        if (!streamed && CallTool?.Invoke(messages) is { } call)
        {
            var callTokens = CountTokens(call.Arguments);
            await WriteJsonAsync(context, new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion",
                ["created"] = CreatedUnixSeconds,
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject
                    {
                        ["role"] = "assistant",
                        ["content"] = null,
                        ["tool_calls"] = new JsonArray(new JsonObject
                        {
                            ["id"] = $"call-{id}",
                            ["type"] = "function",
                            ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
                        }),
                    },
                    ["finish_reason"] = "tool_calls",
                }),
                ["usage"] = new JsonObject
                {
                    ["prompt_tokens"] = messages.Sum(x => CountTokens(x.Content)),
                    ["completion_tokens"] = callTokens,
                    ["total_tokens"] = messages.Sum(x => CountTokens(x.Content)) + callTokens,
                },
            });
            return;
        }

        var reply = Reply(messages);
        var finishReason = "stop";
        var limit = IntOrNull(body, "max_completion_tokens") ?? IntOrNull(body, "max_tokens");
        if (limit is { } max && CountTokens(reply) > max)
        {
            reply = string.Join(' ', reply.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[..max]);
            finishReason = "length";
        }

        var usage = new JsonObject
        {
            ["prompt_tokens"] = messages.Sum(x => CountTokens(x.Content)),
            ["completion_tokens"] = CountTokens(reply),
            ["total_tokens"] = messages.Sum(x => CountTokens(x.Content)) + CountTokens(reply),
        };

        if (!streamed)
        {
            var completion = new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion",
                ["created"] = CreatedUnixSeconds,
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = reply },
                    ["finish_reason"] = finishReason,
                }),
                ["usage"] = usage,
            };
            await WriteJsonAsync(context, completion);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        // One chunk per word, so that a client which buffered the whole stream would still be caught by a test
        // that counts updates.
        var words = reply.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            var delta = new JsonObject { ["content"] = i == words.Length - 1 ? words[i] : words[i] + " " };
            if (i == 0)
            {
                delta["role"] = "assistant";
            }

            await WriteEventAsync(context, Chunk(id, model, delta, finishReason: null));
        }

        await WriteEventAsync(context, Chunk(id, model, new JsonObject(), finishReason));
        var includeUsage = body.TryGetProperty("stream_options", out var streamOptions)
            && streamOptions.ValueKind == JsonValueKind.Object
            && streamOptions.TryGetProperty("include_usage", out var include)
            && include.ValueKind == JsonValueKind.True;
        if (includeUsage)
        {
            var usageChunk = new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = CreatedUnixSeconds,
                ["model"] = model,
                ["choices"] = new JsonArray(),
                ["usage"] = usage,
            };
            await WriteEventAsync(context, usageChunk.ToJsonString());
        }

        await WriteEventAsync(context, "[DONE]");
    }

    private async Task EmbeddingsAsync(HttpContext context, JsonElement body)
    {
        var model = body.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "";
        var input = body.GetProperty("input");
        var texts = input.ValueKind == JsonValueKind.Array
            ? input.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
            : [input.GetString() ?? ""];
        var dimensions = IntOrNull(body, "dimensions") ?? NativeDimensions;
        var base64 = body.TryGetProperty("encoding_format", out var format) && format.GetString() == "base64";

        var data = new JsonArray();
        for (var i = 0; i < texts.Count; i++)
        {
            var vector = Embed(texts[i], dimensions);
            JsonNode embedding = base64
                ? Convert.ToBase64String(MemoryMarshal.AsBytes(vector.AsSpan()))
                : new JsonArray([.. vector.Select(v => (JsonNode)v)]);
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }

        var tokens = texts.Sum(CountTokens);
        await WriteJsonAsync(context, new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        });
    }

    private static string ContentOf(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return "";
        }

        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString() ?? "",
            JsonValueKind.Array => string.Concat(content.EnumerateArray()
                .Where(p => p.TryGetProperty("type", out var t) && t.GetString() == "text")
                .Select(p => p.GetProperty("text").GetString())),
            _ => "",
        };
    }

    private static string Chunk(string id, string model, JsonObject delta, string? finishReason) => new JsonObject
    {
        ["id"] = id,
        ["object"] = "chat.completion.chunk",
        ["created"] = CreatedUnixSeconds,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason }),
    }.ToJsonString();

    private static int? IntOrNull(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static async Task WriteEventAsync(HttpContext context, string data)
    {
        await context.Response.WriteAsync($"data: {data}\n\n");
        await context.Response.Body.FlushAsync();
    }

    private static async Task WriteJsonAsync(HttpContext context, JsonNode json)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json.ToJsonString());
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return WriteJsonAsync(context, new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = "server_error", ["code"] = null },
        });
    }
}

/// <summary>One chat message as the fake received it (a tool result has role <c>tool</c>).</summary>
public sealed record FakeChatMessage(string Role, string Content);

/// <summary>A tool call the fake makes: the function's name and its arguments as a JSON object text.</summary>
public sealed record FakeToolCall(string Name, string Arguments);

/// <summary>One request as the fake received it: its path, JSON body, Authorization header and arrival time.</summary>
public sealed record FakeOpenAiRequest(string Path, JsonElement Body, string Authorization, DateTimeOffset ReceivedAt);
