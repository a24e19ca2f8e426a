using Microsoft.Extensions.AI;

namespace MtlPortal.Embeddings;

/// <summary>
/// Marks a request as a search query rather than a document to store. Generators that treat the two alike ignore
/// it; <see cref="LocalEmbeddingGenerator"/> caches queries (repeated searches are common, repeated documents not).
/// </summary>
public static class EmbeddingPurpose
{
    private const string Key = "mtl.purpose";
    private const string QueryValue = "query";

    /// <summary>Options for embedding a search query.</summary>
    public static EmbeddingGenerationOptions Query() => new() { AdditionalProperties = new() { [Key] = QueryValue } };

    public static bool IsQuery(EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties is { } properties && properties.TryGetValue(Key, out var value) && Equals(value, QueryValue);
}
