using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MtlPortal.Mcp;

/// <summary>
/// Turns the portal's error answers (ProblemDetails: title, detail, field errors) into one message an agent can
/// act on: what was wrong, which argument, and what to do next (fix the key, wait, correct a field).
/// </summary>
public static class PortalProblem
{
    private const int MaxRawBody = 300;

    public static string Describe(HttpStatusCode status, RetryConditionHeaderValue? retryAfter, string body)
    {
        var text = new StringBuilder($"The portal answered with status {(int)status}");
        var (title, detail, errors) = Parse(body);
        if (title is null && detail is null && errors.Count == 0)
        {
            // Not a ProblemDetails: a proxy's page or another server. Show a little of it, not a whole HTML page.
            var raw = body.Trim();
            text.Append(raw.Length == 0 ? "." : $": {(raw.Length > MaxRawBody ? raw[..MaxRawBody] + "…" : raw)}");
        }
        else
        {
            text.Append(':');
            foreach (var part in new[] { title, detail })
            {
                if (!string.IsNullOrWhiteSpace(part))
                {
                    text.Append(' ').Append(part.Trim());
                    if (!part.TrimEnd().EndsWith('.'))
                    {
                        text.Append('.');
                    }
                }
            }

            foreach (var (field, messages) in errors)
            {
                foreach (var message in messages)
                {
                    text.Append("\n- ").Append(field.Length == 0 ? "(request)" : field).Append(": ").Append(message);
                }
            }
        }

        var advice = status switch
        {
            HttpStatusCode.Unauthorized =>
                "The API key this MCP server was started with was refused: check MTL_API_KEY (or --api-key), or create a new key on the portal's API keys page or with './mtl create-api-key'.",
            HttpStatusCode.Forbidden =>
                "The API key may not do this: use a key that has the scope named above (MTL_API_KEY or --api-key).",
            HttpStatusCode.TooManyRequests =>
                $"Wait {RetrySeconds(retryAfter)} seconds, then call the tool again.",
            HttpStatusCode.BadRequest when errors.Count > 0 =>
                "Correct the arguments named above and call the tool again.",
            _ => null,
        };
        if (advice is not null)
        {
            text.Append('\n').Append(advice);
        }

        return text.ToString();
    }

    private static int RetrySeconds(RetryConditionHeaderValue? retryAfter) =>
        retryAfter?.Delta is { } delta ? Math.Max(1, (int)Math.Ceiling(delta.TotalSeconds))
        : retryAfter?.Date is { } date ? Math.Max(1, (int)Math.Ceiling((date - DateTimeOffset.UtcNow).TotalSeconds))
        : 1;

    private static (string? Title, string? Detail, List<(string Field, List<string> Messages)> Errors) Parse(string body)
    {
        var errors = new List<(string, List<string>)>();
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null, errors);
            }

            if (root.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in fields.EnumerateObject())
                {
                    var messages = field.Value.ValueKind == JsonValueKind.Array
                        ? field.Value.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.String ? m.GetString()! : m.GetRawText()).ToList()
                        : [field.Value.ToString()];
                    errors.Add((field.Name, messages));
                }
            }

            return (StringOrNull(root, "title"), StringOrNull(root, "detail"), errors);
        }
        catch (JsonException)
        {
            return (null, null, errors);
        }
    }

    private static string? StringOrNull(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
