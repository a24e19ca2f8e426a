using Microsoft.EntityFrameworkCore;
using MtlPortal.Persistence;

namespace MtlPortal.Memories;

/// <summary>The newest revision of a memory as the lifecycle rules see it, for deciding which actions to offer.</summary>
/// <param name="Facts">What <see cref="MemoryLifecycle"/> needs.</param>
/// <param name="AnyDecision">Whether a reviewer has decided on it yet (withdrawing is then closed).</param>
public sealed record LatestRevisionStanding(LifecycleFacts Facts, bool AnyDecision);

/// <summary>
/// What the pages need about a memory's newest revision beyond <see cref="MemoryDetails"/>: the facts that decide
/// which actions to offer (its author's id, the approvals so far) and its near-duplicates, found from the stored
/// embedding rather than by embedding the text again. Only for those who may see unapproved revisions.
/// </summary>
public sealed class LatestRevisionQueries(IDbContextFactory<PortalDbContext> contexts, DuplicateFinder duplicates)
{
    /// <summary>The newest revision's standing, or null when there is no such memory or the actor is outside its team.</summary>
    public async Task<LatestRevisionStanding?> StandingAsync(Actor actor, Guid memoryId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var memory = await db.Memories.AsNoTracking().FirstOrDefaultAsync(m => m.Id == memoryId, cancellationToken);
        if (memory is null || !MemoryLifecycle.CanSeeUnapproved(actor, memory.TeamId, memory.AuthorId))
        {
            return null;
        }

        var latest = await db.MemoryRevisions.AsNoTracking()
            .Where(r => r.Id == memory.LatestRevisionId)
            .Select(r => new { r.AuthorId, r.State, Decisions = r.Reviews.Where(v => v.Decision != ReviewDecision.Comment).Select(v => new { v.ReviewerId, v.Decision }).ToList() })
            .FirstAsync(cancellationToken);
        var facts = new LifecycleFacts(
            memory.AuthorId, memory.TeamId, memory.ArchivedAt is not null, memory.ApprovedRevisionId is not null,
            latest.AuthorId, latest.State, IsLatest: true,
            [.. latest.Decisions.Where(d => d.Decision == ReviewDecision.Approve).Select(d => d.ReviewerId)]);
        return new LatestRevisionStanding(facts, latest.Decisions.Count > 0);
    }

    /// <summary>Approved or in-review memories that read much like the newest revision; empty when it has no embedding yet.</summary>
    public async Task<IReadOnlyList<SimilarMemory>> NearDuplicatesAsync(Actor actor, Guid memoryId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var latest = await db.Memories.AsNoTracking()
            .Where(m => m.Id == memoryId)
            .Join(db.MemoryRevisions, m => m.LatestRevisionId, r => r.Id, (m, r) => new { m.TeamId, m.AuthorId, r.Embedding, r.EmbeddingModel })
            .FirstOrDefaultAsync(cancellationToken);
        if (latest is not { Embedding: { } embedding, EmbeddingModel: { } model } || !MemoryLifecycle.CanSeeUnapproved(actor, latest.TeamId, latest.AuthorId))
        {
            return [];
        }

        return await duplicates.FindAsync(actor, embedding, model, memoryId, cancellationToken);
    }
}
