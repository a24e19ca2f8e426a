using MtlPortal.Retrieval;

namespace MtlPortal.UnitTests.Retrieval;

/// <summary>
/// Brute-force search written independently of the index: filter every memory, compute cosine in double precision,
/// sort by score descending then memory id ascending.
/// </summary>
internal static class ExactReference
{
    public static List<IndexHit> Search(IEnumerable<IndexedMemory> pool, float[] query, int k, RetrievalFilter filter) =>
        pool.Where(memory => IsEligible(memory, filter))
            .Select(memory => new IndexHit(memory.MemoryId, (float)Math.Clamp(Cosine(query, memory.Embedding.Span), -1, 1)))
            .OrderByDescending(hit => hit.Score)
            .ThenBy(hit => hit.MemoryId)
            .Take(k)
            .ToList();

    public static bool IsEligible(IndexedMemory memory, RetrievalFilter filter) =>
        filter.Kinds.Contains(memory.Kind)
        && !filter.ExcludeDomains.Any(domain => string.Equals(domain, memory.SourceDomain, StringComparison.OrdinalIgnoreCase))
        && (filter.Teams is null || filter.Teams.Contains(memory.TeamId))
        && (filter.SourceModels is null || filter.SourceModels.Any(model => string.Equals(model, memory.SourceModel, StringComparison.OrdinalIgnoreCase)))
        && (filter.MinAbstraction is null || memory.AbstractionScore >= filter.MinAbstraction);

    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, normA = 0, normB = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            normA += (double)a[i] * a[i];
            normB += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(normA * normB);
    }

    /// <summary>Same memories in the same order, with scores equal up to float rounding.</summary>
    public static void AssertSameHits(IReadOnlyList<IndexHit> expected, IReadOnlyList<IndexHit> actual)
    {
        Assert.Equal(expected.Select(hit => hit.MemoryId), actual.Select(hit => hit.MemoryId));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Score, actual[i].Score, 1e-5f);
        }
    }
}
