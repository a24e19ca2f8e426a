using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MtlPortal.Auditing;
using MtlPortal.Llm;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Runs;
using MtlPortal.Teams;
using MtlPortal.Trajectories;
using MtlPortal.Validation;

namespace MtlPortal.Generation;

/// <summary>What someone asks to generate: from a run's attempts or from chosen trajectories, which kinds, which outcomes, into which team.</summary>
/// <param name="Team">The team's name or id; may be left out when the person belongs to exactly one team.</param>
/// <param name="Model">The model connection's name; default the one configured as <c>Llm:Model</c>, or the only one.</param>
public sealed record GenerationRequest(
    Guid? RunId, IReadOnlyList<Guid>? TrajectoryIds, IReadOnlyList<string>? Kinds, GenerationOutcomes Outcomes, string? Team, string? Model = null);

/// <summary>What a job will cost before it starts: model calls (at most: judge calls may leave trajectories out) and an estimate of tokens and cost.</summary>
public sealed record GenerationEstimate(int Trajectories, int JudgeCalls, int MemoryCalls, long TokensIn, long TokensOut, decimal? Cost, string Model, string Team)
{
    public int Calls => JudgeCalls + MemoryCalls;
}

/// <summary>
/// Starts, estimates and cancels generation jobs. A job is queued on the runner's job engine (Hangfire, in the
/// portal's database) and worked on by <see cref="GenerationWorker"/>. Starting and cancelling are audited.
/// </summary>
public sealed class GenerationLauncher(
    IDbContextFactory<PortalDbContext> contexts, TrajectoryImporter trajectories, RunQueue queue, AuditTrail audit, TimeProvider clock, IOptions<LlmOptions> llm)
{
    /// <summary>Roughly four characters per token: enough for an estimate shown before starting.</summary>
    private const int CharactersPerToken = 4;

    public static readonly IReadOnlyList<string> DefaultKinds = ["insight"];

    public async Task<WriteResult<GenerationEstimate>> EstimateAsync(GenerationRequest request, Actor actor, CancellationToken cancellationToken = default)
    {
        var plan = await PlanAsync(request, actor, importRun: false, cancellationToken);
        return plan.Succeeded ? WriteResult<GenerationEstimate>.Ok(plan.Value!.Estimate) : plan.Cast<GenerationEstimate>();
    }

    public async Task<WriteResult<GenerationJob>> StartAsync(GenerationRequest request, Actor actor, CancellationToken cancellationToken = default)
    {
        var planned = await PlanAsync(request, actor, importRun: true, cancellationToken);
        if (!planned.Succeeded)
        {
            return planned.Cast<GenerationJob>();
        }

        var plan = planned.Value!;
        var job = new GenerationJob
        {
            Id = Guid.CreateVersion7(),
            Status = GenerationStatus.Queued,
            Kinds = [.. plan.Kinds.Select(k => k.ToString().ToLowerInvariant())],
            Outcomes = request.Outcomes,
            TeamId = plan.TeamId,
            ModelConnectionId = plan.Connection.Id,
            RunId = request.RunId,
            TrajectoryIds = [.. plan.Trajectories.Select(t => t.Id)],
            PlannedCalls = plan.Estimate.Calls,
            CreatedBy = actor.UserId,
            CreatedAt = clock.GetUtcNow(),
        };
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            db.Set<GenerationJob>().Add(job);
            audit.Record(db, actor.UserId, "generation.started", "generation", job.Id.ToString(), JsonSerializer.Serialize(new
            {
                trajectories = job.TrajectoryIds.Count, kinds = job.Kinds, outcomes = job.Outcomes.ToString(), team = plan.Estimate.Team,
                model = plan.Connection.Name, run = job.RunId, plannedCalls = job.PlannedCalls,
            }));
            await db.SaveChangesAsync(cancellationToken);
        }

        new BackgroundJobClient(queue.Storage).Enqueue<GenerationWorker>(w => w.ExecuteAsync(job.Id, CancellationToken.None));
        return WriteResult<GenerationJob>.Ok(job);
    }

    /// <summary>Stops a queued or running job: no new model call starts; memories made so far stay in review.</summary>
    public async Task<WriteResult<GenerationJob>> CancelAsync(Guid jobId, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var job = await db.Set<GenerationJob>().AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        if (job is null)
        {
            return WriteResult<GenerationJob>.NotFound("There is no generation job with this id.");
        }

        if (job.CreatedBy != actor.UserId && !actor.IsAdmin)
        {
            return WriteResult<GenerationJob>.Forbidden("Only the person who started a generation job, or an admin, cancels it.");
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await db.Set<GenerationJob>().Where(j => j.Id == jobId && (j.Status == GenerationStatus.Queued || j.Status == GenerationStatus.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, GenerationStatus.Cancelled).SetProperty(j => j.StatusReason, "cancelled").SetProperty(j => j.FinishedAt, now), cancellationToken);
        if (changed == 0)
        {
            return WriteResult<GenerationJob>.Conflict($"The job is already {job.Status.ToString().ToLowerInvariant()}.");
        }

        audit.Record(db, actor.UserId, "generation.cancelled", "generation", jobId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return WriteResult<GenerationJob>.Ok(await db.Set<GenerationJob>().AsNoTracking().FirstAsync(j => j.Id == jobId, cancellationToken));
    }

    public async Task<GenerationJob?> GetAsync(Guid jobId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<GenerationJob>().AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
    }

    private async Task<WriteResult<Plan>> PlanAsync(GenerationRequest request, Actor actor, bool importRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsContributor && !actor.IsAdmin)
        {
            return WriteResult<Plan>.Forbidden("Only contributors generate memories.");
        }

        var errors = new List<FieldError>();
        var kinds = new List<MemoryKind>();
        foreach (var name in request.Kinds is { Count: > 0 } given ? given : DefaultKinds)
        {
            if (MemoryKinds.TryParse(name, out var kind))
            {
                if (!kinds.Contains(kind))
                {
                    kinds.Add(kind);
                }
            }
            else
            {
                errors.Add(new FieldError("kinds", $"'{name}' is not a memory kind: {MemoryKinds.Names}."));
            }
        }

        if (!Enum.IsDefined(request.Outcomes))
        {
            errors.Add(new FieldError("outcomes", "The outcomes are all, successes or failures."));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var teams = await db.Teams.AsNoTracking().ToListAsync(cancellationToken);
        var team = string.IsNullOrWhiteSpace(request.Team)
            ? (actor.TeamIds.Count == 1 ? teams.FirstOrDefault(t => t.Id == actor.TeamIds.Single()) : null)
            : teams.FirstOrDefault(t => TeamNames.Comparer.Equals(t.Name, request.Team.Trim()) || t.Id.ToString() == request.Team.Trim());
        if (team is null)
        {
            errors.Add(new FieldError("team", string.IsNullOrWhiteSpace(request.Team) ? "Choose the team whose review queue receives the memories." : $"There is no team '{request.Team}'."));
        }
        else if (!actor.InTeam(team.Id) && !actor.IsAdmin)
        {
            errors.Add(new FieldError("team", "You can only generate memories for your own teams."));
        }

        var connections = await db.Set<ModelConnection>().AsNoTracking().ToListAsync(cancellationToken);
        var wanted = string.IsNullOrWhiteSpace(request.Model) ? llm.Value.Model : request.Model;
        var connection = connections.FirstOrDefault(c => string.Equals(c.Name, wanted?.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? (string.IsNullOrWhiteSpace(request.Model) && connections.Count == 1 ? connections[0] : null);
        if (connection is null)
        {
            errors.Add(new FieldError("model", connections.Count == 0
                ? "No model connection is registered: an admin adds one, or set Llm:Endpoint and Llm:Model."
                : $"Name the model connection: {string.Join(", ", connections.Select(c => c.Name))}."));
        }

        List<Trajectory> chosen = [];
        if ((request.RunId is null) == (request.TrajectoryIds is not { Count: > 0 }))
        {
            errors.Add(new FieldError("source", "Give either a run or trajectories, not both."));
        }
        else if (request.RunId is { } runId)
        {
            var run = await db.Set<Run>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
            if (run is null)
            {
                errors.Add(new FieldError("source.runId", "There is no run with this id."));
            }
            else if (run.Status == RunStatus.Running)
            {
                errors.Add(new FieldError("source.runId", "The run is still running; generate memories once it has finished."));
            }
            else if (importRun && errors.Count == 0)
            {
                var ids = await trajectories.FromRunAsync(runId, actor.UserId, cancellationToken);
                chosen = await db.Set<Trajectory>().AsNoTracking().Where(t => ids.Contains(t.Id)).OrderBy(t => t.ImportedAt).ThenBy(t => t.Id).ToListAsync(cancellationToken);
            }
            else
            {
                chosen = await RunAttemptsAsTrajectoriesAsync(db, run, cancellationToken);
            }
        }
        else
        {
            var ids = request.TrajectoryIds!.Distinct().ToList();
            chosen = await db.Set<Trajectory>().AsNoTracking().Where(t => ids.Contains(t.Id)).ToListAsync(cancellationToken);
            var missing = ids.Except(chosen.Select(t => t.Id)).ToList();
            if (missing.Count > 0)
            {
                errors.Add(new FieldError("source.trajectoryIds", $"There is no trajectory {string.Join(", ", missing.Take(5))}."));
            }

            chosen = [.. ids.Select(id => chosen.FirstOrDefault(t => t.Id == id)).OfType<Trajectory>()];
        }

        if (errors.Count > 0)
        {
            return WriteResult<Plan>.Fail(errors);
        }

        var selected = chosen.Where(t => Selected(t.Verdict, request.Outcomes) || t.Verdict == TrajectoryVerdict.Unknown).ToList();
        if (selected.Count == 0)
        {
            return WriteResult<Plan>.Fail("source", request.Outcomes == GenerationOutcomes.All
                ? "There is no trajectory to generate from (a run's attempts whose model call failed are left out)."
                : $"None of these trajectories is a {(request.Outcomes == GenerationOutcomes.Successes ? "success" : "failure")}.");
        }

        var judgeCalls = selected.Count(t => t.Verdict == TrajectoryVerdict.Unknown);
        long tokensIn = 0, tokensOut = 0;
        foreach (var t in selected)
        {
            long rendered = GenerationPrompts.Render(t, withVerdict: true).Length / CharactersPerToken;
            if (t.Verdict == TrajectoryVerdict.Unknown)
            {
                tokensIn += rendered + (GenerationPrompts.Judge.Length / CharactersPerToken);
                tokensOut += 10;
            }

            foreach (var kind in kinds)
            {
                tokensIn += rendered + (GenerationPrompts.For(kind, true).Length / CharactersPerToken);
                tokensOut += kind == MemoryKind.Trajectory ? 1500 : 400;
            }
        }

        var estimate = new GenerationEstimate(selected.Count, judgeCalls, selected.Count * kinds.Count, tokensIn, tokensOut,
            connection!.Cost(tokensIn, tokensOut), connection.Name, team!.Name);
        return WriteResult<Plan>.Ok(new Plan(selected, kinds, team.Id, connection, estimate));
    }

    internal static bool Selected(TrajectoryVerdict verdict, GenerationOutcomes outcomes) => outcomes switch
    {
        GenerationOutcomes.Successes => verdict == TrajectoryVerdict.Passed,
        GenerationOutcomes.Failures => verdict == TrajectoryVerdict.Failed,
        _ => verdict != TrajectoryVerdict.Unknown,
    };

    /// <summary>For an estimate: the run's attempts as trajectories would be, without storing them.</summary>
    private static async Task<List<Trajectory>> RunAttemptsAsTrajectoriesAsync(PortalDbContext db, Run run, CancellationToken cancellationToken)
    {
        var attempts = await db.Set<RunAttempt>().AsNoTracking().Where(a => a.RunId == run.Id && a.Answer != null && a.Verdict != null).ToListAsync(cancellationToken);
        var taskIds = attempts.Select(a => a.TaskId).Distinct().ToList();
        var prompts = await db.BenchmarkTasks.AsNoTracking().Where(t => taskIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Prompt, cancellationToken);
        return [.. attempts.Select(a =>
        {
            var t = new Trajectory { TaskText = prompts[a.TaskId], FinalAnswer = a.Program ?? a.Answer, Verdict = a.Passed ? TrajectoryVerdict.Passed : TrajectoryVerdict.Failed };
            t.SetSteps(TrajectoryImporter.StepsOf(a));
            return t;
        })];
    }

    private sealed record Plan(IReadOnlyList<Trajectory> Trajectories, IReadOnlyList<MemoryKind> Kinds, Guid TeamId, ModelConnection Connection, GenerationEstimate Estimate);
}
