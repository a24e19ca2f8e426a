namespace MtlPortal.Retrieval;

/// <summary>One search result: a memory and its cosine similarity to the query.</summary>
/// <param name="MemoryId">The memory's identity.</param>
/// <param name="Score">Cosine similarity in [-1, 1], computed exactly on the full-precision embeddings.</param>
public readonly record struct IndexHit(Guid MemoryId, float Score);
