using Microsoft.EntityFrameworkCore;
using MtlPortal.Persistence;
using MtlPortal.Runs;
using MtlPortal.Sandbox;

namespace MtlPortal.Dashboards;

/// <summary>One recorded attempt as the dashboards count it: which task (of which benchmark), condition, outcome and cost.</summary>
public sealed record AttemptOutcome(
    Guid AttemptId,
    string Benchmark,
    string Task,
    int Ordinal,
    string Condition,
    int Attempt,
    bool Passed,
    long TokensIn,
    long TokensOut,
    double LatencyMs,
    decimal? Cost);

/// <summary>A run's attempts, whether the portal's runner made them or they were imported from elsewhere.</summary>
public sealed record RunOutcomes(
    Guid RunId,
    RunKind Kind,
    string Label,
    string Model,
    string Status,
    IReadOnlyList<string> Conditions,
    IReadOnlyList<string>? SourceModels,
    DateTimeOffset CreatedAt,
    IReadOnlyList<AttemptOutcome> Attempts);

/// <summary>Reads runs' attempts for the dashboards: the one place that knows where an attempt's task is named.</summary>
public sealed class RunOutcomeReader(IDbContextFactory<PortalDbContext> contexts)
{
    public async Task<RunOutcomes?> ReadAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var run = await db.Set<Run>().AsNoTracking().Include(r => r.Benchmark).Include(r => r.ModelConnection)
            .FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        return run is null ? null : await ReadAsync(db, run, cancellationToken);
    }

    /// <summary>Runs newest first, without their attempts (for pickers and lists).</summary>
    public async Task<IReadOnlyList<RunOutcomes>> ListAsync(int take = 200, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var runs = await db.Set<Run>().AsNoTracking().Include(r => r.Benchmark).Include(r => r.ModelConnection)
            .OrderByDescending(r => r.CreatedAt).Take(take).ToListAsync(cancellationToken);
        return [.. runs.Select(r => Header(r, []))];
    }

    /// <summary>Every run that filtered its memories by source model, with its attempts (for the cross-model matrix).</summary>
    public async Task<IReadOnlyList<RunOutcomes>> SourceModelRunsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var runs = await db.Set<Run>().AsNoTracking().Include(r => r.Benchmark).Include(r => r.ModelConnection)
            .Where(r => r.SourceModels != null && r.SourceModels.Count > 0)
            .OrderBy(r => r.CreatedAt).ToListAsync(cancellationToken);
        var result = new List<RunOutcomes>(runs.Count);
        foreach (var run in runs)
        {
            result.Add(await ReadAsync(db, run, cancellationToken));
        }

        return result;
    }

    private static async Task<RunOutcomes> ReadAsync(PortalDbContext db, Run run, CancellationToken cancellationToken)
    {
        var attempts = await db.Set<RunAttempt>().AsNoTracking().Where(a => a.RunId == run.Id)
            .Select(a => new { a.Id, a.TaskId, a.Condition, a.AttemptNumber, Passed = a.Verdict == SandboxVerdict.Passed, a.TokensIn, a.TokensOut, a.LatencyMs, a.Cost })
            .ToListAsync(cancellationToken);

        // The runner's tasks are the benchmark's; an external run names its own.
        var tasks = run.Kind == RunKind.External
            ? await db.Set<ExternalTask>().AsNoTracking().Where(t => t.RunId == run.Id)
                .Select(t => new { t.Id, t.Benchmark, t.Name, t.Ordinal })
                .ToDictionaryAsync(t => t.Id, t => (t.Benchmark, t.Name, t.Ordinal), cancellationToken)
            : await db.BenchmarkTasks.AsNoTracking().Where(t => t.BenchmarkId == run.BenchmarkId)
                .Select(t => new { t.Id, t.TaskId, t.Ordinal })
                .ToDictionaryAsync(t => t.Id, t => (Benchmark: run.Benchmark!.Name, Name: t.TaskId, t.Ordinal), cancellationToken);

        var outcomes = attempts.Where(a => tasks.ContainsKey(a.TaskId)).Select(a =>
        {
            var task = tasks[a.TaskId];
            return new AttemptOutcome(a.Id, task.Benchmark, task.Name, task.Ordinal, a.Condition, a.AttemptNumber, a.Passed, a.TokensIn, a.TokensOut, a.LatencyMs, a.Cost);
        }).OrderBy(a => a.Benchmark, StringComparer.Ordinal).ThenBy(a => a.Ordinal).ThenBy(a => a.Condition, StringComparer.Ordinal).ThenBy(a => a.Attempt).ToList();
        return Header(run, outcomes);
    }

    private static RunOutcomes Header(Run run, IReadOnlyList<AttemptOutcome> attempts) => new(
        run.Id,
        run.Kind,
        run.Kind == RunKind.External ? run.ExternalSource ?? "external results" : run.Benchmark?.Name ?? "",
        run.ModelConnection?.Model ?? run.ExternalModel ?? "",
        run.Status.ToString().ToLowerInvariant(),
        run.Conditions,
        run.SourceModels,
        run.CreatedAt,
        attempts);
}
