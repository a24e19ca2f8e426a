namespace MtlPortal.Embeddings;

/// <summary>Which embedding model the portal uses. Bound from the "Embeddings" section and validated at start.</summary>
public sealed class EmbeddingOptions
{
    public const string Section = "Embeddings";

    /// <summary>The local, offline sentence-embedding model (<see cref="LocalEmbeddingGenerator"/>): matches meaning.</summary>
    public const string LocalProvider = "local";

    /// <summary>The local, offline <see cref="LexicalEmbeddingGenerator"/>: fast, matches words.</summary>
    public const string LexicalProvider = "lexical";

    /// <summary>Any server that speaks OpenAI's <c>/v1/embeddings</c> (OpenAI, Azure OpenAI v1, Ollama, vLLM, LM Studio).</summary>
    public const string OpenAiProvider = "openai";

    /// <summary><c>local</c> (the default), <c>lexical</c> or <c>openai</c>; case does not matter.</summary>
    public string Provider { get; set; } = LocalProvider;

    /// <summary>For <c>openai</c>: the base address including <c>/v1</c>, e.g. <c>https://api.openai.com/v1</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>For <c>openai</c>: the model name, e.g. <c>text-embedding-3-small</c>.</summary>
    public string? Model { get; set; }

    /// <summary>
    /// The vector length. For <c>local</c> it is the model's (384) and may be left out. For <c>lexical</c> it defaults to <see cref="LexicalEmbeddingGenerator.DefaultDimensions"/>.
    /// For <c>openai</c> it is required: the pool needs to know it, and every returned vector is checked against it.
    /// </summary>
    public int? Dimensions { get; set; }

    /// <summary>
    /// For <c>openai</c>: send <see cref="Dimensions"/> as the request's <c>dimensions</c> so the model shortens its
    /// vectors. Turn it off for models that reject the parameter (text-embedding-ada-002, most vLLM models) and set
    /// <see cref="Dimensions"/> to the model's native length instead.
    /// </summary>
    public bool SendDimensions { get; set; } = true;

    /// <summary>For <c>openai</c>: may be empty for local servers that need no key.</summary>
    public string? ApiKey { get; set; }

    /// <summary>For <c>openai</c>: how many texts go in one request; for <c>local</c>: at most how many go in one model call.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>For <c>local</c>: the threads one model call uses (ONNX Runtime's intra-op threads).</summary>
    public int Threads { get; set; } = LocalEmbeddingGenerator.DefaultThreads;

    /// <summary>For <c>local</c>: how many query embeddings are remembered, so a repeated search skips the model; 0 turns it off.</summary>
    public int QueryCacheSize { get; set; } = LocalEmbeddingGenerator.DefaultQueryCacheSize;

    /// <summary>For <c>openai</c>: how long one request may take.</summary>
    public int TimeoutSeconds { get; set; } = 100;

    /// <summary>For <c>openai</c>: how often a request that failed with 408, 429 or 5xx is retried, with backoff.</summary>
    public int MaxRetries { get; set; } = 2;
}
