using System.Text;
using System.Text.Json;

namespace MtlPortal.Web.Api;

/// <summary>
/// Reads request bodies for the API: within a size limit, as JSON, with errors that name the field (from the
/// JSON path) the way validation errors do, instead of a bare 400.
/// </summary>
public static class ApiJson
{
    public const int DefaultMaxBytes = 64 * 1024;

    /// <summary>No request of this API nests deeper; a deeper body is refused before it is read.</summary>
    public const int MaxDepth = 16;

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        // Numbers are JSON numbers, as the OpenAPI document says; "3" for 3 is refused with the field named.
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The body as text, or a problem when it is missing, too large or not UTF-8.</summary>
    public static async Task<(string? Text, IResult? Problem)> ReadTextAsync(HttpRequest request, int maxBytes = DefaultMaxBytes)
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "The request body must be JSON.",
                detail: "Send the body with 'Content-Type: application/json'."));
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, TooLarge(maxBytes));
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { [""] = ["The request needs a JSON body."] }));
        }

        try
        {
            return (new UTF8Encoding(false, true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { [""] = ["The body is not valid UTF-8."] }));
        }
    }

    /// <summary>The body as <typeparamref name="T"/>, or a validation problem naming the field that is wrong.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, int maxBytes = DefaultMaxBytes)
        where T : class
    {
        var (text, problem) = await ReadTextAsync(request, maxBytes);
        if (problem is not null)
        {
            return (null, problem);
        }

        try
        {
            using var document = JsonDocument.Parse(text!, new JsonDocumentOptions { MaxDepth = MaxDepth });
            if (MtlPortal.Validation.TextRules.CheckJson(document.RootElement) is { Count: > 0 } unstorable)
            {
                return (null, TypedResults.ValidationProblem(unstorable.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray())));
            }

            return document.RootElement.Deserialize<T>(Options) is { } value
                ? (value, null)
                : (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { [""] = ["The body must be a JSON object."] }));
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "";
            var message = e.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? $"'{field}' is not a field of this request."
                : field.Length > 0 ? $"'{field}' has a value of the wrong type or shape." : "The body is not valid JSON.";
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }));
        }
    }

    private static IResult TooLarge(int maxBytes) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.", detail: $"Bodies are limited to {maxBytes / 1024} KB here.");
}
