using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Http.Resilience;
using OpenAI;
using Polly;

namespace MtlPortal.Llm;

/// <summary>How to reach one OpenAI-compatible server: where, with which key, how long to wait and how often to retry.</summary>
/// <param name="Endpoint">The base address including <c>/v1</c>.</param>
/// <param name="ApiKey">May be empty for local servers that need no key.</param>
/// <param name="Timeout">How long one request may take, retries and their waits included.</param>
/// <param name="MaxRetries">How often a request that failed with 408, 429, 5xx or no answer is retried.</param>
/// <param name="TimeoutSetting">The setting an operator changes to wait longer, named in the timeout message.</param>
public sealed record ModelServerSettings(Uri Endpoint, string? ApiKey, TimeSpan Timeout, int MaxRetries, string TimeoutSetting)
{
    /// <summary>The first retry's wait when the server sends no <c>Retry-After</c>; later ones grow exponentially.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two tries, however long a <c>Retry-After</c> asks for.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// What the chat and embedding clients share: an <see cref="OpenAIClient"/> whose HTTP transport retries transient
/// failures and rate limits (honouring <c>Retry-After</c>), and the translation of the SDK's failures into a
/// <see cref="ModelServiceException"/> an operator can act on.
/// </summary>
public static class ModelServer
{
    private const int MaxServerMessageLength = 400;

    // Local servers (Ollama, vLLM, LM Studio) need no key, but the SDK refuses an empty credential;
    // they ignore the Authorization header, so any placeholder does.
    private const string NoApiKey = "no-key";

    // One connection pool for every model server the process talks to; the handler is never disposed.
    private static readonly SocketsHttpHandler SharedHandler = new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.All,
    };

    public static OpenAIClient CreateClient(ModelServerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // Retries live in the HTTP handler (Microsoft.Extensions.Http.Resilience), which reads Retry-After; the
        // SDK's own retry policy is turned off so that a request is never retried by both.
        var retry = new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(settings.MaxRetries, 0),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = settings.RetryBaseDelay,
            MaxDelay = settings.MaxRetryDelay,
            ShouldRetryAfterHeader = true,
        };
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (settings.MaxRetries > 0)
        {
            pipeline.AddRetry(retry);
        }

        var http = new HttpClient(new ResilienceHandler(pipeline.Build()) { InnerHandler = SharedHandler })
        {
            // The SDK's NetworkTimeout below bounds the whole request, waits between retries included.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        var options = new OpenAIClientOptions
        {
            Endpoint = settings.Endpoint,
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = settings.Timeout,
        };

        var key = string.IsNullOrWhiteSpace(settings.ApiKey) ? NoApiKey : settings.ApiKey;
        return new OpenAIClient(new ApiKeyCredential(key), options);
    }

    /// <summary>The endpoint as it may appear in messages and logs: scheme, host, port and path only.</summary>
    public static string Describe(Uri endpoint) =>
        endpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    public static ModelServiceException Translate(ClientResultException error, ModelServerSettings settings, string request)
    {
        var endpoint = settings.Endpoint;
        var apiKey = settings.ApiKey;
        var where = Describe(endpoint);
        var response = error.GetRawResponse();
        if (response is null || error.Status == 0)
        {
            // No HTTP answer at all: the transport's message (connection refused, DNS, timeout) is the useful part.
            var cause = error.InnerException?.Message ?? error.Message;
            return new ModelServiceException(
                Redact($"The model server at {where} could not be reached for {request}: {cause}", apiKey), endpoint, null, error);
        }

        var reason = string.IsNullOrWhiteSpace(response.ReasonPhrase) ? "" : $" ({response.ReasonPhrase})";
        var detail = ServerMessage(response);
        var message = $"The model server at {where} answered HTTP {response.Status}{reason} to {request}"
            + (detail is null ? "." : $": {detail}");

        // The SDK's own exception carries the response body and headers; it is left out so that a server that
        // echoes request headers cannot leak the key through logged exception chains.
        return new ModelServiceException(Redact(message, apiKey), endpoint, response.Status);
    }

    /// <summary>The SDK reports its network timeout as a cancellation the caller never asked for.</summary>
    public static ModelServiceException TimedOut(OperationCanceledException error, ModelServerSettings settings, string request) =>
        new($"The model server at {Describe(settings.Endpoint)} did not answer {request} within {settings.Timeout.TotalSeconds:0} s ({settings.TimeoutSetting}).",
            settings.Endpoint, null, error);

    private static string? ServerMessage(PipelineResponse response)
    {
        string text;
        try
        {
            text = response.Content.ToString();
        }
        catch (InvalidOperationException)
        {
            return null; // a streamed body that was never buffered
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var err))
            {
                if (err.ValueKind == JsonValueKind.String)
                {
                    return Shorten(err.GetString());
                }

                if (err.ValueKind == JsonValueKind.Object && err.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                {
                    return Shorten(m.GetString());
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML error page, say): fall through and show the start of it.
        }

        return Shorten(text);
    }

    private static string? Shorten(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        return text.Length <= MaxServerMessageLength ? text : text[..MaxServerMessageLength] + "…";
    }

    private static string Redact(string message, string? apiKey) =>
        string.IsNullOrEmpty(apiKey) ? message : message.Replace(apiKey, "***", StringComparison.Ordinal);
}
