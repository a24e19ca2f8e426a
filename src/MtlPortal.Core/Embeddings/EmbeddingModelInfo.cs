namespace MtlPortal.Embeddings;

/// <summary>
/// Which embedding model produced a vector. The pool stores <see cref="ModelId"/> beside every vector; when the
/// configured model changes, the id changes too, and a re-embed job can find the vectors that are now stale.
/// Registered as a singleton by <c>AddPortalEmbeddings</c>; every <c>Embedding&lt;float&gt;</c> the portal's
/// generators return carries the same id in its <c>ModelId</c>.
/// </summary>
/// <param name="ModelId">Stable across processes and machines, e.g. <c>local:all-MiniLM-L6-v2:384</c>, <c>lexical-hashed-ngrams-384-v1</c> or
/// <c>openai:text-embedding-3-small:1536</c>. It names the model and vector length, not the server: moving the
/// same model to another host does not make stored vectors stale.</param>
/// <param name="Dimensions">The length of every vector the generator returns.</param>
public sealed record EmbeddingModelInfo(string ModelId, int Dimensions)
{
    internal static EmbeddingModelInfo ForLexical(int dimensions, int algorithmVersion) =>
        new($"lexical-hashed-ngrams-{dimensions}-v{algorithmVersion}", dimensions);

    internal static EmbeddingModelInfo ForLocal(string model, int dimensions) =>
        new($"local:{model}:{dimensions}", dimensions);

    internal static EmbeddingModelInfo ForOpenAiCompatible(string model, int dimensions) =>
        new($"openai:{model}:{dimensions}", dimensions);
}
