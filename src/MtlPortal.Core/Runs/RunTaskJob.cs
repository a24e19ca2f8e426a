using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using MtlPortal.Persistence;
using Npgsql;

namespace MtlPortal.Runs;

/// <summary>
/// The Hangfire job for one task of a run: every condition × attempt of that task not recorded yet. Safe to run
/// again and twice at once: a PostgreSQL advisory lock keeps a second copy out while the first works, recorded
/// attempts are skipped, and the unique key drops an attempt recorded twice. The run's status is read before each
/// attempt, so a cancel or a reached cap stops new attempts at once.
/// </summary>
public sealed class RunTaskJob(
    IDbContextFactory<PortalDbContext> contexts, PortalDatabase database, ModelConnections connections, AttemptRunner attempts,
    TimeProvider clock, ILogger<RunTaskJob> logger)
{
    public async Task ExecuteAsync(Guid runId, Guid taskId, CancellationToken cancellationToken)
    {
        await using var lockConnection = new NpgsqlConnection(database.ConnectionString);
        await lockConnection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended(@key, 0))", lockConnection))
        {
            take.Parameters.AddWithValue("key", $"mtl-run-task:{runId}:{taskId}");
            if (await take.ExecuteScalarAsync(cancellationToken) is not true)
            {
                logger.LogInformation("Task {TaskId} of run {RunId} is being worked on elsewhere.", taskId, runId);
                return;
            }
        }

        // A session lock: released here, whatever happens. Closing the connection alone would not release it, as
        // the pool keeps the session open, and a retry of this job on another pooled connection would find the task
        // "worked on elsewhere" and give up, leaving the run running. A dead process's connection is dropped, and
        // its lock with it.
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var run = await db.Set<Run>().AsNoTracking().Include(r => r.ModelConnection).FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
            var task = await db.BenchmarkTasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == taskId, cancellationToken);
            if (run is null || task is null || run.Status != RunStatus.Running)
            {
                return;
            }

            var done = (await db.Set<RunAttempt>().AsNoTracking()
                    .Where(a => a.RunId == runId && a.TaskId == taskId)
                    .Select(a => new { a.Condition, a.AttemptNumber })
                    .ToListAsync(cancellationToken))
                .Select(a => (a.Condition, a.AttemptNumber))
                .ToHashSet();
            var todo = run.Conditions.SelectMany(c => Enumerable.Range(1, run.Attempts).Select(n => (Condition: c, Number: n)))
                .Where(a => !done.Contains(a))
                .ToList();
            if (todo.Count > 0)
            {
                using var chat = connections.CreateClient(run.ModelConnection!);
                string? plan = null;
                if (run.Query == RetrievalQuery.Plan && todo.Any(a => a.Condition != RunConditions.ZeroShot))
                {
                    if (!await MayContinueAsync(db, run, cancellationToken))
                    {
                        return;
                    }

                    plan = await PlanAsync(db, run, task, chat, cancellationToken);
                }

                foreach (var (condition, number) in todo)
                {
                    if (!await MayContinueAsync(db, run, cancellationToken))
                    {
                        return;
                    }

                    var attempt = await attempts.RunAsync(run, run.ModelConnection!, chat, task, condition, number, plan, cancellationToken);
                    await RecordAsync(db, attempt, cancellationToken);
                }
            }

            await CompleteIfDoneAsync(db, run, cancellationToken);
        }
        finally
        {
            try
            {
                await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended(@key, 0))", lockConnection);
                release.Parameters.AddWithValue("key", $"mtl-run-task:{runId}:{taskId}");
                await release.ExecuteScalarAsync(CancellationToken.None);
            }
            catch (NpgsqlException e)
            {
                // A broken connection is not pooled, so its session and the lock end with it.
                logger.LogWarning(e, "Could not release the lock on task {TaskId} of run {RunId}.", taskId, runId);
            }
        }
    }

    /// <summary>The task's plan: written once per run and task, stored, and reused after a restart.</summary>
    private async Task<string> PlanAsync(PortalDbContext db, Run run, Benchmarks.BenchmarkTask task, IChatClient chat, CancellationToken cancellationToken)
    {
        var stored = await db.Set<RunPlan>().AsNoTracking().FirstOrDefaultAsync(p => p.RunId == run.Id && p.TaskId == task.Id, cancellationToken);
        if (stored is not null)
        {
            return stored.Plan;
        }

        var response = await chat.GetResponseAsync(AttemptRunner.PlanMessages(task), new ChatOptions { Temperature = run.Temperature, MaxOutputTokens = run.MaxOutputTokens }, cancellationToken);
        var plan = new RunPlan
        {
            RunId = run.Id,
            TaskId = task.Id,
            Plan = response.Text,
            TokensIn = response.Usage?.InputTokenCount ?? 0,
            TokensOut = response.Usage?.OutputTokenCount ?? 0,
        };
        plan.Cost = run.ModelConnection!.Cost(plan.TokensIn, plan.TokensOut);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""INSERT INTO "RunPlans" ("RunId", "TaskId", "Plan", "TokensIn", "TokensOut", "Cost") VALUES ({plan.RunId}, {plan.TaskId}, {plan.Plan}, {plan.TokensIn}, {plan.TokensOut}, {plan.Cost}) ON CONFLICT DO NOTHING""",
            cancellationToken);
        return (await db.Set<RunPlan>().AsNoTracking().FirstAsync(p => p.RunId == run.Id && p.TaskId == task.Id, cancellationToken)).Plan;
    }

    /// <summary>Whether the run still runs and is under its caps; a reached cap stops it (once, whoever sees it first).</summary>
    private async Task<bool> MayContinueAsync(PortalDbContext db, Run run, CancellationToken cancellationToken)
    {
        var status = await db.Set<Run>().Where(r => r.Id == run.Id).Select(r => r.Status).FirstAsync(cancellationToken);
        if (status != RunStatus.Running)
        {
            return false;
        }

        if (run.MaxTokens is null && run.MaxCost is null)
        {
            return true;
        }

        var attempts = await db.Set<RunAttempt>().Where(a => a.RunId == run.Id)
            .GroupBy(_ => 1).Select(g => new { Tokens = g.Sum(a => a.TokensIn + a.TokensOut), Cost = g.Sum(a => a.Cost ?? 0) }).FirstOrDefaultAsync(cancellationToken);
        var plans = await db.Set<RunPlan>().Where(p => p.RunId == run.Id)
            .GroupBy(_ => 1).Select(g => new { Tokens = g.Sum(p => p.TokensIn + p.TokensOut), Cost = g.Sum(p => p.Cost ?? 0) }).FirstOrDefaultAsync(cancellationToken);
        var tokens = (attempts?.Tokens ?? 0) + (plans?.Tokens ?? 0);
        var cost = (attempts?.Cost ?? 0) + (plans?.Cost ?? 0);
        string? reason = run.MaxTokens is { } maxTokens && tokens >= maxTokens ? $"token cap reached ({tokens} of {maxTokens})"
            : run.MaxCost is { } maxCost && cost >= maxCost ? $"cost cap reached ({cost:0.####} of {maxCost:0.####})"
            : null;
        if (reason is null)
        {
            return true;
        }

        var now = clock.GetUtcNow();
        await db.Set<Run>().Where(r => r.Id == run.Id && r.Status == RunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Stopped).SetProperty(r => r.StatusReason, reason).SetProperty(r => r.FinishedAt, now), cancellationToken);
        return false;
    }

    private static async Task RecordAsync(PortalDbContext db, RunAttempt attempt, CancellationToken cancellationToken)
    {
        db.Set<RunAttempt>().Add(attempt);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Recorded already by another copy of this job: the first record stands.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private async Task CompleteIfDoneAsync(PortalDbContext db, Run run, CancellationToken cancellationToken)
    {
        var expected = run.ExpectedAttempts;
        var recorded = await db.Set<RunAttempt>().CountAsync(a => a.RunId == run.Id, cancellationToken);
        if (recorded >= expected)
        {
            var now = clock.GetUtcNow();
            await db.Set<Run>().Where(r => r.Id == run.Id && r.Status == RunStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Completed).SetProperty(r => r.FinishedAt, now), cancellationToken);
        }
    }
}
