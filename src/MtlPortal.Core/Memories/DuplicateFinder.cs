using System.Numerics.Tensors;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using MtlPortal.Settings;

namespace MtlPortal.Memories;

/// <summary>A memory that reads much like another, with how similar it is (cosine, 0–1).</summary>
public sealed record SimilarMemory(Guid MemoryId, string Title, MemoryKind Kind, MemoryStatus Status, string Team, double Similarity);

/// <summary>
/// Finds approved or in-review memories at or above the duplicate threshold (an admin setting, default 0.5):
/// shown to contributors while they write and to reviewers while they decide. Approved memories come from the
/// in-memory pool index where the host has one (it runs on every pause in typing); only memories in review,
/// which are few, are read from the database.
/// </summary>
/// <param name="pool">The host's pool index; null in hosts without one, which read approved memories from the database.</param>
public sealed class DuplicateFinder(IDbContextFactory<PortalDbContext> contexts, ReviewSettingsStore settings, PoolIndexService? pool = null)
{
    public const int MaxResults = 5;

    /// <param name="actor">In-review memories of other teams are not shown to someone who cannot see them.</param>
    /// <param name="embedding">The L2-normalised embedding of the text being checked.</param>
    /// <param name="embeddingModel">Only vectors from the same model are comparable.</param>
    /// <param name="excludeMemoryId">The memory being checked itself.</param>
    public async Task<IReadOnlyList<SimilarMemory>> FindAsync(Actor actor, float[] embedding, string embeddingModel, Guid? excludeMemoryId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var threshold = (await settings.GetAsync(cancellationToken)).DuplicateThreshold;

        var fromIndex = pool is not null && pool.EmbeddingModel == embeddingModel && pool.Index.Dimensions == embedding.Length;
        var found = new List<SimilarMemory>();
        if (fromIndex)
        {
            foreach (var hit in pool!.Index.Search(embedding, MaxResults + 1, new RetrievalFilter { Kinds = Enum.GetValues<MemoryKind>() }))
            {
                if (hit.Score >= threshold && hit.MemoryId != excludeMemoryId && pool.Served(hit.MemoryId) is { } served)
                {
                    found.Add(new SimilarMemory(served.MemoryId, served.Content.DisplayTitle, served.Content.Kind, MemoryStatus.Approved, served.Team, Math.Round(hit.Score, 3)));
                }
            }
        }

        // The open revision of each memory in review (and, without an index, the served revision of each pooled one).
        var candidates = await db.Memories.AsNoTracking()
            .Where(m => m.ArchivedAt == null && m.Id != excludeMemoryId && (m.Status == MemoryStatus.InReview || (!fromIndex && m.ApprovedRevisionId != null)))
            .SelectMany(m => db.MemoryRevisions.Where(r =>
                    r.MemoryId == m.Id && r.EmbeddingModel == embeddingModel && r.Embedding != null
                    && ((!fromIndex && r.Id == m.ApprovedRevisionId) || (r.Id == m.LatestRevisionId && r.State == RevisionState.InReview))),
                (m, r) => new { m.Id, r.Title, m.Kind, m.Status, m.TeamId, m.AuthorId, Team = m.Team!.Name, Served = r.Id == m.ApprovedRevisionId, r.Embedding })
            .ToListAsync(cancellationToken);

        found.AddRange(candidates
            // The same rule as everywhere: a served revision is everyone's; any other revision (a new one in review
            // of an approved memory included) only its team's.
            .Where(c => c.Served || MemoryLifecycle.CanSeeUnapproved(actor, c.TeamId, c.AuthorId))
            .Where(c => c.Embedding!.Length == embedding.Length)
            .Select(c => new { c, Similarity = (double)TensorPrimitives.Dot<float>(c.Embedding, embedding) })
            .Where(x => x.Similarity >= threshold)
            .Select(x => new SimilarMemory(x.c.Id, x.c.Title, x.c.Kind, x.c.Status, x.c.Team, Math.Round(x.Similarity, 3))));

        return [.. found
            .GroupBy(f => f.MemoryId)
            .Select(g => g.MaxBy(f => f.Similarity)!)
            .OrderByDescending(f => f.Similarity).ThenBy(f => f.MemoryId)
            .Take(MaxResults)];
    }
}
