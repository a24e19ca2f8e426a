using Microsoft.EntityFrameworkCore;
using MtlPortal.Memories;
using MtlPortal.Persistence;

namespace MtlPortal.Reviews;

/// <summary>What the review queue can be narrowed to.</summary>
public sealed record ReviewQueueFilter(Guid? TeamId = null, MemoryKind? Kind = null, string? Domain = null);

/// <summary>The review queue: memories waiting for a reviewer's decision, as the reviewer may see them.</summary>
public sealed class PendingReviews(IDbContextFactory<PortalDbContext> contexts)
{
    /// <summary>Revisions waiting for the actor's review, oldest first; the actor's own are left out (four eyes).</summary>
    public async Task<IReadOnlyList<MemorySummary>> QueueAsync(Actor actor, ReviewQueueFilter filter, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Memories.AsNoTracking().Where(m => m.Status == MemoryStatus.InReview && m.ArchivedAt == null && m.AuthorId != actor.UserId);
        if (!actor.IsAdmin)
        {
            var teams = actor.IsReviewer ? actor.TeamIds.ToList() : [];
            query = query.Where(m => teams.Contains(m.TeamId));
        }

        if (filter.TeamId is { } team)
        {
            query = query.Where(m => m.TeamId == team);
        }

        if (filter.Kind is { } kind)
        {
            query = query.Where(m => m.Kind == kind);
        }

        var rows = await MemoryQueries.Summaries(db, query, filter.Domain).ToListAsync(cancellationToken);
        return [.. rows.Where(r => r.RevisionState == RevisionState.InReview).OrderBy(r => r.SubmittedAt).ThenBy(r => r.Id)];
    }
}
