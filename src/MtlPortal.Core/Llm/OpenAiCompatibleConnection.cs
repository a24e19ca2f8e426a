using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using OpenAI;

namespace MtlPortal.Llm;

/// <summary>
/// What the chat and embedding adapters share: building an <see cref="OpenAIClient"/> for a configured server,
/// and turning the SDK's failures into a <see cref="ModelServiceException"/> an operator can act on.
/// </summary>
internal static class OpenAiCompatibleConnection
{
    private const int MaxServerMessageLength = 400;

    // Local servers (Ollama, vLLM, LM Studio) need no key, but the SDK refuses an empty credential;
    // they ignore the Authorization header, so any placeholder does.
    private const string NoApiKey = "no-key";

    public static OpenAIClient CreateClient(Uri endpoint, string? apiKey, TimeSpan networkTimeout, int maxRetries)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries),
            NetworkTimeout = networkTimeout,
        };

        var key = string.IsNullOrWhiteSpace(apiKey) ? NoApiKey : apiKey;
        return new OpenAIClient(new ApiKeyCredential(key), options);
    }

    /// <summary>The endpoint as it may appear in messages and logs: scheme, host, port and path only.</summary>
    public static string Describe(Uri endpoint) =>
        endpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    public static ModelServiceException Translate(ClientResultException error, Uri endpoint, string request, string? apiKey)
    {
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
    public static ModelServiceException TimedOut(OperationCanceledException error, Uri endpoint, string request, TimeSpan timeout, string setting) =>
        new($"The model server at {Describe(endpoint)} did not answer {request} within {timeout.TotalSeconds:0} s ({setting}).",
            endpoint, null, error);

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
