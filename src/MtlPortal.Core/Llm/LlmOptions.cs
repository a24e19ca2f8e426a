namespace MtlPortal.Llm;

/// <summary>
/// The language model the portal talks to (the benchmark runner's agent, for one). Bound from the "Llm" section.
/// There is no default model: with <see cref="Endpoint"/> and <see cref="Model"/> empty, no chat client is registered.
/// </summary>
public sealed class LlmOptions
{
    public const string Section = "Llm";

    /// <summary>The base address of an OpenAI-compatible server, including <c>/v1</c>, e.g. <c>http://localhost:11434/v1</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The chat model's name, e.g. <c>gpt-4o-mini</c>.</summary>
    public string? Model { get; set; }

    /// <summary>May be empty for local servers that need no key.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// How long to wait for the server's answer (when streaming, for each next chunk); a long completion needs
    /// more than the SDK's default of 100 seconds.
    /// </summary>
    public int TimeoutSeconds { get; set; } = 300;

    /// <summary>How often a request that failed with 408, 429, 5xx or no answer is retried, with backoff that honours the server's <c>Retry-After</c>.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Both <see cref="Endpoint"/> and <see cref="Model"/> are set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Model);

    internal ModelServerSettings ToServerSettings() =>
        new(new Uri(Endpoint!), ApiKey, TimeSpan.FromSeconds(TimeoutSeconds), MaxRetries, $"{Section}:TimeoutSeconds");
}
