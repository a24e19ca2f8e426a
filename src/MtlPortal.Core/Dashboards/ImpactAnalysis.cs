using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Agents;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Runs;

namespace MtlPortal.Dashboards;

/// <summary>
/// Computes <see cref="MemoryImpact"/> from the runs' recorded attempts (which memories each prompt held, which one
/// the model said it used, whether it passed) and the agents' feedback. The memory page, the Impact dashboard and
/// <c>GET /api/v1/memories/{id}/impact</c> all read it from here, so they cannot disagree.
/// </summary>
public sealed class ImpactAnalysis(IDbContextFactory<PortalDbContext> contexts)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// One memory's impact; null when there is no such memory or <paramref name="actor"/> may not see it (the same
    /// rule as the memory page). A memory never retrieved has zeros.
    /// </summary>
    public async Task<MemoryImpact?> ForMemoryAsync(Actor actor, Guid memoryId, CancellationToken cancellationToken = default)
    {
        var all = await ComputeAsync(actor, memoryId, cancellationToken);
        return all.Count > 0 ? all[0] : null;
    }

    /// <summary>Every memory that runs retrieved or agents reported on, the most harmful first (see <see cref="MemoryImpact.Harm"/>).</summary>
    public async Task<IReadOnlyList<MemoryImpact>> AllAsync(Actor actor, CancellationToken cancellationToken = default) =>
        [.. (await ComputeAsync(actor, null, cancellationToken))
            .OrderByDescending(m => m.Harm)
            .ThenBy(m => m.Delta ?? 0)
            .ThenByDescending(m => m.Retrieved)
            .ThenBy(m => m.MemoryId)];

    private async Task<IReadOnlyList<MemoryImpact>> ComputeAsync(Actor actor, Guid? onlyMemory, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var retrieving = db.Set<RunAttempt>().AsNoTracking().Where(a => a.RetrievalId != null);
        if (onlyMemory is { } id)
        {
            // jsonb containment: only attempts whose prompt held this memory are read.
            var probe = JsonSerializer.Serialize(new[] { new { memoryId = id } }, Json);
            retrieving = retrieving.Where(a => EF.Functions.JsonContains(a.Memories, probe));
        }

        var attempts = await retrieving
            .Select(a => new { a.RunId, a.TaskId, a.Condition, a.Memories, a.MemoryUsedId, Passed = a.Verdict == Sandbox.SandboxVerdict.Passed })
            .ToListAsync(cancellationToken);

        var runIds = attempts.Select(a => a.RunId).Distinct().ToList();
        var zeroShot = (await db.Set<RunAttempt>().AsNoTracking()
                .Where(a => a.Condition == RunConditions.ZeroShot && runIds.Contains(a.RunId))
                .Select(a => new { a.RunId, a.TaskId, Passed = a.Verdict == Sandbox.SandboxVerdict.Passed })
                .ToListAsync(cancellationToken))
            .GroupBy(a => (a.RunId, a.TaskId))
            .ToDictionary(g => g.Key, g => (Attempts: g.Count(), Passed: g.Count(a => a.Passed)));
        var benchmarks = await db.Set<Run>().AsNoTracking().Where(r => runIds.Contains(r.Id))
            .Select(r => new { r.Id, r.Benchmark!.Name }).ToDictionaryAsync(r => r.Id, r => r.Name, cancellationToken);
        var taskIds = attempts.Select(a => a.TaskId).Distinct().ToList();
        var taskNames = await db.BenchmarkTasks.AsNoTracking().Where(t => taskIds.Contains(t.Id))
            .Select(t => new { t.Id, t.TaskId }).ToDictionaryAsync(t => t.Id, t => t.TaskId, cancellationToken);

        var byMemory = new Dictionary<Guid, List<(Guid RunId, Guid TaskId, string Condition, bool Passed, bool SaidUsed)>>();
        foreach (var attempt in attempts)
        {
            foreach (var inserted in JsonSerializer.Deserialize<List<InsertedMemory>>(attempt.Memories, Json) ?? [])
            {
                if (onlyMemory is { } only && inserted.MemoryId != only)
                {
                    continue;
                }

                if (!byMemory.TryGetValue(inserted.MemoryId, out var list))
                {
                    byMemory[inserted.MemoryId] = list = [];
                }

                list.Add((attempt.RunId, attempt.TaskId, attempt.Condition, attempt.Passed, attempt.MemoryUsedId == inserted.MemoryId));
            }
        }

        var feedbackRows = await (from f in db.Feedback.AsNoTracking()
                                  join h in db.RetrievalHits on f.RetrievalId equals h.RetrievalId
                                  where onlyMemory == null || h.MemoryId == onlyMemory
                                  select new { h.MemoryId, f.Outcome, SaidUsed = f.MemoryIds.Contains(h.MemoryId) })
            .ToListAsync(cancellationToken);
        var feedback = feedbackRows.GroupBy(f => f.MemoryId).ToDictionary(g => g.Key, g => new ImpactFeedback(
            g.Count(f => f.Outcome == SourceOutcome.Success),
            g.Count(f => f.Outcome == SourceOutcome.Failure),
            g.Count(f => f.Outcome == SourceOutcome.Success && f.SaidUsed),
            g.Count(f => f.Outcome == SourceOutcome.Failure && f.SaidUsed)));

        var memoryIds = onlyMemory is { } single ? [single] : byMemory.Keys.Union(feedback.Keys).ToList();
        var memories = await (from m in db.Memories.AsNoTracking()
                              where memoryIds.Contains(m.Id)
                              join r in db.MemoryRevisions on m.ApprovedRevisionId ?? m.LatestRevisionId equals r.Id
                              select new { m.Id, r.Title, m.Kind, m.Status, m.TeamId, Team = m.Team!.Name, r.SourceDomain, m.AuthorId, Served = m.ApprovedRevisionId != null })
            .ToListAsync(cancellationToken);

        return [.. memories.Where(m => m.Served || MemoryLifecycle.CanSeeUnapproved(actor, m.TeamId, m.AuthorId)).Select(m =>
        {
            var retrieved = byMemory.GetValueOrDefault(m.Id) ?? [];
            var tasks = retrieved
                .GroupBy(a => (a.RunId, a.TaskId, a.Condition))
                .Select(g =>
                {
                    var zero = zeroShot.GetValueOrDefault((g.Key.RunId, g.Key.TaskId));
                    return new ImpactTask(g.Key.RunId, benchmarks.GetValueOrDefault(g.Key.RunId, "?"), taskNames.GetValueOrDefault(g.Key.TaskId, "?"), g.Key.Condition,
                        g.Count(), g.Count(a => a.Passed), zero.Attempts, zero.Passed);
                })
                .OrderBy(t => t.Benchmark, StringComparer.Ordinal).ThenBy(t => t.Task, StringComparer.Ordinal).ThenBy(t => t.RunId)
                .ToList();
            var paired = tasks.Where(t => t.ZeroShotAttempts > 0).ToList();
            return new MemoryImpact(
                m.Id, m.Title, m.Kind, m.Status, m.TeamId, m.Team, m.SourceDomain,
                retrieved.Count,
                retrieved.Count(a => a.SaidUsed),
                retrieved.GroupBy(a => a.Condition).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
                retrieved.GroupBy(a => benchmarks.GetValueOrDefault(a.RunId, "?")).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
                paired.Count,
                paired.Count(t => t.Effect > 0),
                paired.Count(t => t.Effect < 0),
                paired.Count > 0 ? Math.Round(paired.Average(t => t.PassRate), 6) : null,
                paired.Count > 0 ? Math.Round(paired.Average(t => t.ZeroShotPassRate!.Value), 6) : null,
                feedback.GetValueOrDefault(m.Id) ?? new ImpactFeedback(0, 0, 0, 0),
                tasks);
        })];
    }

    private sealed record InsertedMemory(int Rank, Guid MemoryId, Guid RevisionId, double Score);
}
