using System.Numerics.Tensors;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Persistence;
using MtlPortal.Settings;

namespace MtlPortal.Memories;

/// <summary>A memory that reads much like another, with how similar it is (cosine, 0–1).</summary>
public sealed record SimilarMemory(Guid MemoryId, string Title, MemoryKind Kind, MemoryStatus Status, string Team, double Similarity);

/// <summary>
/// Finds approved or in-review memories at or above the duplicate threshold (an admin setting, default 0.9):
/// shown to contributors while they write and to reviewers while they decide.
/// </summary>
public sealed class DuplicateFinder(IDbContextFactory<PortalDbContext> contexts, ReviewSettingsStore settings)
{
    public const int MaxResults = 5;

    /// <param name="actor">In-review memories of other teams are not shown to someone who cannot see them.</param>
    /// <param name="embedding">The L2-normalised embedding of the text being checked.</param>
    /// <param name="embeddingModel">Only vectors from the same model are comparable.</param>
    /// <param name="excludeMemoryId">The memory being checked itself.</param>
    public async Task<IReadOnlyList<SimilarMemory>> FindAsync(Actor actor, float[] embedding, string embeddingModel, Guid? excludeMemoryId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var threshold = (await settings.GetAsync(db, cancellationToken)).DuplicateThreshold;

        // The served revision of each pooled memory, and the open revision of each memory in review.
        var candidates = await db.Memories.AsNoTracking()
            .Where(m => m.ArchivedAt == null && m.Id != excludeMemoryId && (m.ApprovedRevisionId != null || m.Status == MemoryStatus.InReview))
            .SelectMany(m => db.MemoryRevisions.Where(r =>
                    r.MemoryId == m.Id && r.EmbeddingModel == embeddingModel && r.Embedding != null
                    && (r.Id == m.ApprovedRevisionId || (r.Id == m.LatestRevisionId && r.State == RevisionState.InReview))),
                (m, r) => new { m.Id, r.Title, m.Kind, m.Status, m.TeamId, m.AuthorId, Team = m.Team!.Name, Approved = m.ApprovedRevisionId != null, r.Embedding })
            .ToListAsync(cancellationToken);

        return [.. candidates
            .Where(c => c.Approved || MemoryLifecycle.CanSeeUnapproved(actor, c.TeamId, c.AuthorId))
            .Where(c => c.Embedding!.Length == embedding.Length)
            .Select(c => new { c, Similarity = (double)TensorPrimitives.Dot<float>(c.Embedding, embedding) })
            .Where(x => x.Similarity >= threshold)
            .GroupBy(x => x.c.Id)
            .Select(g => g.MaxBy(x => x.Similarity)!)
            .OrderByDescending(x => x.Similarity).ThenBy(x => x.c.Id)
            .Take(MaxResults)
            .Select(x => new SimilarMemory(x.c.Id, x.c.Title, x.c.Kind, x.c.Status, x.c.Team, Math.Round(x.Similarity, 3)))];
    }
}
