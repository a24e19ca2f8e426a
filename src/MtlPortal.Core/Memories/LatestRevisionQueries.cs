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
    /// <summary>
    /// The newest revision's standing, for deciding what the actor may do (outside the memory's team: nothing but
    /// read it); null when there is no such memory, or it is not approved and the actor is outside its team.
    /// </summary>
    public async Task<LatestRevisionStanding?> StandingAsync(Actor actor, Guid memoryId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var memory = await db.Memories.AsNoTracking().FirstOrDefaultAsync(m => m.Id == memoryId, cancellationToken);
        if (memory is null || (memory.ApprovedRevisionId is null && !MemoryLifecycle.CanSeeUnapproved(actor, memory.TeamId, memory.AuthorId)))
        {
            return null;
        }

        var latest = await db.MemoryRevisions.AsNoTracking().Include(r => r.Reviews).FirstAsync(r => r.Id == memory.LatestRevisionId, cancellationToken);
        return new LatestRevisionStanding(LifecycleFacts.Of(memory, latest), latest.Reviews.Any(r => r.Decision != ReviewDecision.Comment));
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
