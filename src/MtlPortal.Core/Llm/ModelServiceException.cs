namespace MtlPortal.Llm;

/// <summary>
/// A request to an OpenAI-compatible model server (chat or embeddings) failed. The message names the server,
/// the HTTP status and the server's own explanation, and never the API key.
/// </summary>
public sealed class ModelServiceException : Exception
{
    public ModelServiceException(string message, Uri endpoint, int? statusCode, Exception? inner = null)
        : base(message, inner)
    {
        Endpoint = endpoint;
        StatusCode = statusCode;
    }

    /// <summary>The configured endpoint (e.g. <c>https://api.openai.com/v1</c>), without credentials.</summary>
    public Uri Endpoint { get; }

    /// <summary>The HTTP status the server answered with; null when it could not be reached at all.</summary>
    public int? StatusCode { get; }
}
