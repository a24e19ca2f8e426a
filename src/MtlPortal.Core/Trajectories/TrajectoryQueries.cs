using Microsoft.EntityFrameworkCore;
using MtlPortal.Generation;
using MtlPortal.Persistence;

namespace MtlPortal.Trajectories;

/// <summary>A trajectory in a list: everything but its steps.</summary>
public sealed record TrajectoryListItem(
    Guid Id, string Format, string SourceDomain, string? SourceTaskRef, string SourceModel, string TaskText, int StepCount,
    TrajectoryVerdict Verdict, VerdictOrigin VerdictOrigin, string Origin, DateTimeOffset ImportedAt, int Memories);

/// <summary>Reading trajectories: the list, one with its steps, and the one a generated memory came from.</summary>
public sealed class TrajectoryQueries(IDbContextFactory<PortalDbContext> contexts)
{
    public async Task<IReadOnlyList<TrajectoryListItem>> ListAsync(string? search = null, TrajectoryVerdict? verdict = null, int limit = 200, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Set<Trajectory>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = $"%{search.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal)}%";
            query = query.Where(t => EF.Functions.ILike(t.SourceDomain, pattern) || EF.Functions.ILike(t.TaskText, pattern)
                || (t.SourceTaskRef != null && EF.Functions.ILike(t.SourceTaskRef, pattern)) || EF.Functions.ILike(t.Origin, pattern));
        }

        if (verdict is { } v)
        {
            query = query.Where(t => t.Verdict == v);
        }

        var links = db.Set<GeneratedMemory>();
        return await query.OrderByDescending(t => t.ImportedAt).ThenBy(t => t.Id).Take(Math.Clamp(limit, 1, 1000))
            .Select(t => new TrajectoryListItem(
                t.Id, t.Format, t.SourceDomain, t.SourceTaskRef, t.SourceModel, t.TaskText.Length > 300 ? t.TaskText.Substring(0, 300) : t.TaskText, t.StepCount,
                t.Verdict, t.VerdictOrigin, t.Origin, t.ImportedAt, links.Count(l => l.TrajectoryId == t.Id)))
            .ToListAsync(cancellationToken);
    }

    public async Task<Trajectory?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<Trajectory>().AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);
    }

    /// <summary>The trajectory a memory was generated from, with the model that wrote the memory; null for memories written by people.</summary>
    public async Task<(Trajectory Trajectory, GeneratedMemory Link)?> SourceOfAsync(Guid memoryId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var link = await db.Set<GeneratedMemory>().AsNoTracking().FirstOrDefaultAsync(l => l.MemoryId == memoryId, cancellationToken);
        if (link is null)
        {
            return null;
        }

        var trajectory = await db.Set<Trajectory>().AsNoTracking().FirstAsync(t => t.Id == link.TrajectoryId, cancellationToken);
        return (trajectory, link);
    }
}
