using System.Globalization;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Dashboards;
using MtlPortal.Persistence;

namespace MtlPortal.Runs;

/// <summary>How far a run is: attempts recorded of those it will make.</summary>
public sealed record RunProgress(int Done, int Total);

/// <summary>One condition's results: tasks reached, attempts recorded and passed, pass@k for each k up to the attempts.</summary>
public sealed record ConditionResult(string Condition, int Tasks, int Attempts, int Passed, IReadOnlyDictionary<string, double> PassAtK);

/// <summary>A run as its page, the API and the CLI report it.</summary>
public sealed record RunSummary(
    Guid Id,
    string Status,
    string? StatusReason,
    string Benchmark,
    string Model,
    string Mode,
    string Query,
    string Selection,
    int PoolSize,
    RunProgress Progress,
    IReadOnlyList<ConditionResult> Conditions,
    long TokensIn,
    long TokensOut,
    decimal? Cost,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt);

/// <summary>Reads runs and their results; pass@k is <see cref="PassAtK"/>'s unbiased estimator per condition.</summary>
public sealed class RunReports(IDbContextFactory<PortalDbContext> contexts)
{
    public async Task<IReadOnlyList<RunSummary>> ListAsync(int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ids = await db.Set<Run>().OrderByDescending(r => r.CreatedAt).Take(take).Select(r => r.Id).ToListAsync(cancellationToken);
        var result = new List<RunSummary>(ids.Count);
        foreach (var id in ids)
        {
            result.Add((await SummaryAsync(db, id, cancellationToken))!);
        }

        return result;
    }

    public async Task<RunSummary?> GetAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await SummaryAsync(db, runId, cancellationToken);
    }

    /// <summary>The run's attempts in task order, then condition and attempt number; null when there is no such run.</summary>
    public async Task<IReadOnlyList<AttemptRow>?> AttemptsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await TaskNamesAsync(db, runId, cancellationToken) is not { } tasks)
        {
            return null;
        }

        var attempts = await db.Set<RunAttempt>().AsNoTracking().Where(a => a.RunId == runId).ToListAsync(cancellationToken);
        return [.. attempts.Where(a => tasks.ContainsKey(a.TaskId))
            .OrderBy(a => tasks[a.TaskId].Ordinal).ThenBy(a => a.Condition, StringComparer.Ordinal).ThenBy(a => a.AttemptNumber)
            .Select(a => new AttemptRow(a, tasks[a.TaskId].Name))];
    }

    /// <summary>
    /// The name and place of each task of a run, by its id: the benchmark's tasks for the runner's runs, the imported
    /// ones for an external run (prefixed with their benchmark when it spans several). Null when there is no such run.
    /// </summary>
    public static async Task<IReadOnlyDictionary<Guid, (string Name, int Ordinal)>?> TaskNamesAsync(PortalDbContext db, Guid runId, CancellationToken cancellationToken)
    {
        var run = await db.Set<Run>().AsNoTracking().Where(r => r.Id == runId).Select(r => new { r.Kind, r.BenchmarkId }).FirstOrDefaultAsync(cancellationToken);
        if (run is null)
        {
            return null;
        }

        if (run.Kind == RunKind.External)
        {
            var external = await db.Set<ExternalTask>().AsNoTracking().Where(t => t.RunId == runId)
                .Select(t => new { t.Id, t.Benchmark, t.Name, t.Ordinal }).ToListAsync(cancellationToken);
            var several = external.Select(t => t.Benchmark).Distinct().Count() > 1;
            return external.ToDictionary(t => t.Id, t => (several ? $"{t.Benchmark}/{t.Name}" : t.Name, t.Ordinal));
        }

        // Only the three columns: the run page asks every two seconds, and a task's prompt and tests are long.
        return await db.BenchmarkTasks.AsNoTracking().Where(t => t.BenchmarkId == run.BenchmarkId)
            .Select(t => new { t.Id, t.TaskId, t.Ordinal })
            .ToDictionaryAsync(t => t.Id, t => (t.TaskId, t.Ordinal), cancellationToken);
    }

    private static async Task<RunSummary?> SummaryAsync(PortalDbContext db, Guid runId, CancellationToken cancellationToken)
    {
        var run = await db.Set<Run>().AsNoTracking().Include(r => r.Benchmark).Include(r => r.ModelConnection)
            .FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null)
        {
            return null;
        }

        var attempts = await db.Set<RunAttempt>().AsNoTracking().Where(a => a.RunId == runId)
            .Select(a => new { a.TaskId, a.Condition, Passed = a.Verdict == Sandbox.SandboxVerdict.Passed, a.TokensIn, a.TokensOut, a.Cost })
            .ToListAsync(cancellationToken);
        var plans = await db.Set<RunPlan>().AsNoTracking().Where(p => p.RunId == runId)
            .Select(p => new { p.TokensIn, p.TokensOut, p.Cost }).ToListAsync(cancellationToken);

        var conditions = run.Conditions.Select(condition =>
        {
            var byTask = attempts.Where(a => a.Condition == condition).GroupBy(a => a.TaskId)
                .Select(g => (Attempts: g.Count(), Passed: g.Count(a => a.Passed))).ToList();
            var passAtK = PassAtK.Mean(byTask).ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => Math.Round(p.Value, 6));
            return new ConditionResult(condition, byTask.Count, byTask.Sum(t => t.Attempts), byTask.Sum(t => t.Passed), passAtK);
        }).ToList();

        var costs = attempts.Select(a => a.Cost).Concat(plans.Select(p => p.Cost)).ToList();
        return new RunSummary(
            run.Id,
            run.Status.ToString().ToLowerInvariant(),
            run.StatusReason,
            run.Benchmark?.Name ?? run.ExternalSource ?? "external",
            run.ModelConnection?.Name ?? run.ExternalModel ?? "external",
            run.Mode.ToString().ToLowerInvariant(),
            run.Query.ToString().ToLowerInvariant(),
            run.Selection,
            run.PoolMemoryIds.Count,
            new RunProgress(attempts.Count, run.ExpectedAttempts),
            conditions,
            attempts.Sum(a => a.TokensIn) + plans.Sum(p => p.TokensIn),
            attempts.Sum(a => a.TokensOut) + plans.Sum(p => p.TokensOut),
            costs.Any(c => c is not null) ? costs.Sum(c => c ?? 0) : null,
            run.CreatedAt,
            run.FinishedAt);
    }
}

/// <summary>An attempt with its task's dataset id, for exports.</summary>
public sealed record AttemptRow(RunAttempt Attempt, string TaskId);
