using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MtlPortal.Llm;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Runs;
using MtlPortal.Trajectories;
using Npgsql;

namespace MtlPortal.Generation;

/// <summary>
/// The Hangfire job that works on one <see cref="GenerationJob"/>, trajectory by trajectory: the judge first when the
/// verdict is unknown, then one model call per kind; each answer is read and validated as the kind's structure
/// (<see cref="GeneratedContent"/>) before anything is saved, and a trajectory's accepted memories go into review
/// together through <see cref="MemoryBatchImport.CreateManyAsync"/> (checked, linted, embedded, audited, all or none),
/// then are linked to the trajectory. The job's status is read before each call, so a cancel stops it at once; a
/// restarted job goes on after the last finished trajectory. A failing model server fails the job with its message.
/// </summary>
public sealed class GenerationWorker(
    IDbContextFactory<PortalDbContext> contexts, PortalDatabase database, IServiceScopeFactory scopes, ModelConnections connections, ActorDirectory actors, MemoryAnalyzer analyzer,
    TimeProvider clock, ILogger<GenerationWorker> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [AutomaticRetry(Attempts = 0)]
    public async Task ExecuteAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var lockConnection = new NpgsqlConnection(database.ConnectionString);
        await lockConnection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended(@key, 0))", lockConnection))
        {
            take.Parameters.AddWithValue("key", $"mtl-generation:{jobId}");
            if (await take.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return;
            }
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var job = await db.Set<GenerationJob>().AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        if (job is null || job.IsFinished)
        {
            return;
        }

        await db.Set<GenerationJob>().Where(j => j.Id == jobId && j.Status == GenerationStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, GenerationStatus.Running), cancellationToken);
        var connection = await db.Set<ModelConnection>().AsNoTracking().FirstAsync(c => c.Id == job.ModelConnectionId, cancellationToken);
        var actor = await actors.GetAsync(job.CreatedBy, cancellationToken);
        if (actor is null)
        {
            await FinishAsync(db, jobId, GenerationStatus.Failed, "The person who started the job no longer exists or is disabled.", cancellationToken);
            return;
        }

        using var chat = connections.CreateClient(connection);
        var problems = JsonSerializer.Deserialize<List<GenerationProblem>>(job.Problems, Json) ?? [];
        try
        {
            for (var index = job.TrajectoriesDone; index < job.TrajectoryIds.Count; index++)
            {
                if (!await StillRunningAsync(db, jobId, cancellationToken))
                {
                    return;
                }

                var trajectory = await db.Set<Trajectory>().FirstOrDefaultAsync(t => t.Id == job.TrajectoryIds[index], cancellationToken);
                var progress = new Progress();
                if (trajectory is not null)
                {
                    if (!await WorkOnAsync(db, job, connection, chat, actor, trajectory, problems, progress, cancellationToken))
                    {
                        await SaveProgressAsync(db, jobId, index, progress, problems, connection, cancellationToken);
                        return;
                    }
                }

                await SaveProgressAsync(db, jobId, index + 1, progress, problems, connection, cancellationToken);
                db.ChangeTracker.Clear();
            }

            await FinishAsync(db, jobId, GenerationStatus.Completed, null, cancellationToken);
        }
        catch (ModelServiceException e)
        {
            logger.LogWarning("Generation job {JobId} failed: {Message}", jobId, e.Message);
            await FinishAsync(db, jobId, GenerationStatus.Failed, e.Message, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not retried (a retry would repeat model calls); the job says what went wrong instead of staying "running".
            logger.LogError(e, "Generation job {JobId} failed.", jobId);
            await FinishAsync(db, jobId, GenerationStatus.Failed, $"The job failed unexpectedly: {e.Message}", CancellationToken.None);
        }
    }

    /// <summary>One trajectory: its verdict, then each kind. False when the job was cancelled midway.</summary>
    private async Task<bool> WorkOnAsync(
        PortalDbContext db, GenerationJob job, ModelConnection connection, IChatClient chat, Actor actor, Trajectory trajectory,
        List<GenerationProblem> problems, Progress progress, CancellationToken cancellationToken)
    {
        if (trajectory.Verdict == TrajectoryVerdict.Unknown)
        {
            var answer = await chat.GetResponseAsync(TrajectoryJudge.Messages(trajectory), new ChatOptions { Temperature = 0 }, cancellationToken);
            progress.Count(answer);
            var (verdict, note) = TrajectoryJudge.Read(answer.Text);
            trajectory.Verdict = verdict;
            trajectory.VerdictOrigin = VerdictOrigin.LlmJudge;
            trajectory.VerdictNote = $"{note} ({connection.Model})";
            await db.SaveChangesAsync(cancellationToken);
        }

        if (!GenerationLauncher.Selected(trajectory.Verdict, job.Outcomes))
        {
            progress.Skipped++;
            return true;
        }

        var success = trajectory.Verdict == TrajectoryVerdict.Passed;
        var user = GenerationPrompts.Render(trajectory, withVerdict: true);
        var accepted = new List<MemoryContent>();
        await using var scope = scopes.CreateAsyncScope();
        foreach (var kind in job.MemoryKinds)
        {
            if (!await StillRunningAsync(db, job.Id, cancellationToken))
            {
                return false;
            }

            var response = await chat.GetResponseAsync([new(ChatRole.System, GenerationPrompts.For(kind, success)), new(ChatRole.User, user)], cancellationToken: cancellationToken);
            progress.Count(response);
            var read = await GeneratedContent.ReadAsync(kind, response.Text, analyzer.LintAsync, cancellationToken);
            if (read.Accepted)
            {
                accepted.Add(read.Content!);
            }
            else
            {
                problems.Add(new GenerationProblem(trajectory.Id, kind.ToString().ToLowerInvariant(), read.Rejection!));
            }
        }

        if (accepted.Count == 0)
        {
            return true;
        }

        var provenance = new Provenance(trajectory.SourceDomain, trajectory.SourceTaskRef, trajectory.SourceModel,
            success ? SourceOutcome.Success : SourceOutcome.Failure, ["generated"]);
        var batch = scope.ServiceProvider.GetRequiredService<MemoryBatchImport>();
        var origin = $"generation {job.Id:N} from trajectory {trajectory.Id:N}";
        // Each memory's link to the trajectory it came from is saved with it: a memory never lands without its provenance.
        var created = await batch.CreateManyAsync(actor, [.. accepted.Select(c => new NewMemory(new MemoryDraft(c, provenance, job.TeamId), origin))],
            approve: false, origin,
            alongside: (memoriesDb, ids) => memoriesDb.Set<GeneratedMemory>().AddRange(ids.Select(id => new GeneratedMemory { MemoryId = id, TrajectoryId = trajectory.Id, JobId = job.Id, GeneratorModel = connection.Model })),
            cancellationToken: cancellationToken);
        if (!created.Succeeded)
        {
            foreach (var error in created.Errors)
            {
                var kind = error.Index is { } i ? accepted[i].Kind.ToString().ToLowerInvariant() : "";
                problems.Add(new GenerationProblem(trajectory.Id, kind, $"Not saved: {error.Message}"));
            }

            return true;
        }

        progress.Created += created.MemoryIds.Count;
        return true;
    }

    private static async Task<bool> StillRunningAsync(PortalDbContext db, Guid jobId, CancellationToken cancellationToken) =>
        await db.Set<GenerationJob>().Where(j => j.Id == jobId).Select(j => j.Status).FirstAsync(cancellationToken) == GenerationStatus.Running;

    private static async Task SaveProgressAsync(PortalDbContext db, Guid jobId, int trajectoriesDone, Progress progress, List<GenerationProblem> problems, ModelConnection connection, CancellationToken cancellationToken)
    {
        var problemsJson = JsonSerializer.Serialize(problems, Json);
        var cost = connection.Cost(progress.TokensIn, progress.TokensOut) ?? 0;
        var priced = connection.InputPricePerMillion is not null || connection.OutputPricePerMillion is not null;
        await db.Set<GenerationJob>().Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.TrajectoriesDone, trajectoriesDone)
            .SetProperty(j => j.CallsDone, j => j.CallsDone + progress.Calls)
            .SetProperty(j => j.MemoriesCreated, j => j.MemoriesCreated + progress.Created)
            .SetProperty(j => j.TrajectoriesSkipped, j => j.TrajectoriesSkipped + progress.Skipped)
            .SetProperty(j => j.TokensIn, j => j.TokensIn + progress.TokensIn)
            .SetProperty(j => j.TokensOut, j => j.TokensOut + progress.TokensOut)
            .SetProperty(j => j.Cost, j => priced ? (j.Cost ?? 0) + cost : null)
            .SetProperty(j => j.Problems, problemsJson), cancellationToken);
    }

    private async Task FinishAsync(PortalDbContext db, Guid jobId, GenerationStatus status, string? reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await db.Set<GenerationJob>().Where(j => j.Id == jobId && (j.Status == GenerationStatus.Running || j.Status == GenerationStatus.Queued))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, status).SetProperty(j => j.StatusReason, reason).SetProperty(j => j.FinishedAt, now), cancellationToken);
    }

    /// <summary>What one trajectory added to the job's counters.</summary>
    private sealed class Progress
    {
        public int Calls { get; private set; }

        public long TokensIn { get; private set; }

        public long TokensOut { get; private set; }

        public int Created { get; set; }

        public int Skipped { get; set; }

        public void Count(ChatResponse response)
        {
            Calls++;
            TokensIn += response.Usage?.InputTokenCount ?? 0;
            TokensOut += response.Usage?.OutputTokenCount ?? 0;
        }
    }
}
