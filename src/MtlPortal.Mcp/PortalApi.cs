using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace MtlPortal.Mcp;

/// <summary>
/// The portal's agent API (<c>/api/v1</c>) as this server uses it: one HTTP client with the configured key.
/// Every failure, from an unreachable portal to a ProblemDetails answer, becomes a <see cref="PortalApiException"/>
/// whose message tells the agent what to change.
/// </summary>
public sealed class PortalApi(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>An HTTP client for <paramref name="settings"/>: base address, bearer key, a user agent, a timeout.</summary>
    public static HttpClient CreateHttpClient(McpSettings settings)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = settings.PortalUrl,
            // A search embeds the query, possibly through a remote model server: give it time, but not forever.
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("MtlPortal.Mcp", ServerVersion));
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    /// <summary>This server's version, without the "+commit" suffix the build appends.</summary>
    public static string ServerVersion { get; } =
        (typeof(PortalApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0.0").Split('+')[0];

    public Task<SearchResponse> SearchAsync(SearchBody body, CancellationToken cancellationToken) =>
        SendAsync<SearchResponse>(HttpMethod.Post, "api/v1/memories/search", JsonContent(body), cancellationToken);

    public Task<JsonElement> GetMemoryAsync(Guid id, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Get, $"api/v1/memories/{id}", null, cancellationToken);

    /// <summary>Submits one memory; <paramref name="record"/> is a line of the memory JSONL format.</summary>
    public Task<SubmittedMemory> SubmitMemoryAsync(MemoryRecord record, CancellationToken cancellationToken) =>
        SendAsync<SubmittedMemory>(HttpMethod.Post, "api/v1/memories", JsonContent(record), cancellationToken);

    public Task<RecordedFeedback> ReportOutcomeAsync(FeedbackBody body, CancellationToken cancellationToken) =>
        SendAsync<RecordedFeedback>(HttpMethod.Post, "api/v1/feedback", JsonContent(body), cancellationToken);

    private static StringContent JsonContent<T>(T body) =>
        new(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json");

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new PortalApiException(
                $"Could not reach the portal at {http.BaseAddress}: {e.Message} Check that the portal is running and that MTL_PORTAL_URL (or --url) is its address.", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PortalApiException($"The portal at {http.BaseAddress} did not answer within {http.Timeout.TotalSeconds:0} s; try again later.", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new PortalApiException(PortalProblem.Describe(response.StatusCode, response.Headers.RetryAfter, text));
            }

            try
            {
                return JsonSerializer.Deserialize<T>(text, Json)
                    ?? throw new JsonException("The body is null.");
            }
            catch (JsonException e)
            {
                throw new PortalApiException(
                    $"{http.BaseAddress} answered {path} with something that is not the portal's API ({e.Message}). Check that MTL_PORTAL_URL (or --url) is the portal's address.", e);
            }
        }
    }
}

/// <summary>A request to the portal that failed; the message is written for the agent that called the tool.</summary>
/// <remarks>An <see cref="ModelContextProtocol.McpException"/>: should one escape a tool, the SDK still shows its message (it hides other exceptions' messages).</remarks>
public sealed class PortalApiException(string message, Exception? inner = null) : ModelContextProtocol.McpException(message, inner);
