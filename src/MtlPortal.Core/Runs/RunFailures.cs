using Hangfire.States;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MtlPortal.Persistence;

namespace MtlPortal.Runs;

/// <summary>
/// When a task's job has failed on every retry, its run can never record all its attempts: the run ends as failed,
/// with the task and the last error as its reason, so the Run page, the API and the CLI say why rather than show a
/// run that stays "running".
/// </summary>
public sealed class RunFailures(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock, ILogger<RunFailures> logger) : IApplyStateFilter
{
    public const int ReasonMax = 2000;

    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(context);
        var job = context.BackgroundJob.Job;
        if (context.NewState is not FailedState failed || job?.Type != typeof(RunTaskJob) || job.Args is not [Guid runId, Guid taskId, ..])
        {
            return;
        }

        // Hangfire applies states synchronously; this is one short update, once per failed task.
        using var db = contexts.CreateDbContext();
        var task = db.BenchmarkTasks.Where(t => t.Id == taskId).Select(t => t.TaskId).FirstOrDefault() ?? taskId.ToString();
        var reason = $"failed: task {task} could not be run ({failed.Exception.Message})";
        reason = reason.Length <= ReasonMax ? reason : reason[..(ReasonMax - 1)] + "…";
        var now = clock.GetUtcNow();
        var changed = db.Set<Run>().Where(r => r.Id == runId && r.Status == RunStatus.Running)
            .ExecuteUpdate(s => s.SetProperty(r => r.Status, RunStatus.Failed).SetProperty(r => r.StatusReason, reason).SetProperty(r => r.FinishedAt, now));
        if (changed > 0)
        {
            logger.LogWarning(failed.Exception, "Run {RunId} failed: task {TaskId}'s job failed on every retry.", runId, task);
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
