using System.Globalization;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Auditing;
using MtlPortal.Benchmarks;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using MtlPortal.Teams;
using MtlPortal.Users;
using MtlPortal.Validation;

namespace MtlPortal.Runs;

/// <summary>What someone asks for when starting a run (API, CLI, pages). Names are matched without regard to case.</summary>
public sealed record RunRequest
{
    public string Benchmark { get; init; } = "";

    /// <summary>The model connection's name; may be left out when exactly one is registered.</summary>
    public string? Model { get; init; }

    /// <summary>Default: zero-shot and insight.</summary>
    public IReadOnlyList<string>? Conditions { get; init; }

    public int Attempts { get; init; } = 3;

    /// <summary>The first N tasks (in file order); excludes <see cref="Sample"/>.</summary>
    public int? Limit { get; init; }

    /// <summary>A random sample of N tasks, reproducible with <see cref="Seed"/>.</summary>
    public int? Sample { get; init; }

    public int? Seed { get; init; }

    public RunMode Mode { get; init; } = RunMode.Single;

    public RetrievalQuery Query { get; init; } = RetrievalQuery.Plan;

    public float? Temperature { get; init; }

    public int? MaxOutputTokens { get; init; }

    public int TopN { get; init; } = 3;

    public int MaxSteps { get; init; } = 5;

    /// <summary>Domains left out of the pool; null for the benchmark's own domain (leave-one-domain-out).</summary>
    public IReadOnlyList<string>? ExcludeDomains { get; init; }

    public IReadOnlyList<string>? SourceModels { get; init; }

    /// <summary>Team names or ids whose memories are eligible; null for every team.</summary>
    public IReadOnlyList<string>? Teams { get; init; }

    public double? MinAbstraction { get; init; }

    public long? MaxTokens { get; init; }

    public decimal? MaxCost { get; init; }

    /// <summary>Also run tasks whose reference solution failed in the sandbox (left out by default).</summary>
    public bool IncludeFailedReferences { get; init; }
}

/// <summary>Starts runs (fixing tasks, settings and pool) and cancels them.</summary>
public sealed class RunLauncher(IDbContextFactory<PortalDbContext> contexts, PoolIndexService pool, RunQueue queue, AuditTrail audit, TimeProvider clock)
{
    public const int MaxAttempts = 20;
    public const int MaxTopN = 20;
    public const int MaxSteps = 50;

    /// <summary>Managers and admins start runs; the run is queued before this returns.</summary>
    public async Task<WriteResult<Run>> StartAsync(RunRequest request, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsAdmin && !actor.Roles.Contains(PortalRoles.Manager))
        {
            return WriteResult<Run>.Forbidden("Only managers and admins start runs.");
        }

        var errors = new List<FieldError>();
        var conditions = new List<string>();
        foreach (var name in request.Conditions is { Count: > 0 } asked ? asked : [RunConditions.ZeroShot, "insight"])
        {
            if (RunConditions.Parse(name) is { } condition)
            {
                if (!conditions.Contains(condition))
                {
                    conditions.Add(condition);
                }
            }
            else
            {
                errors.Add(new FieldError("conditions", $"'{name}' is not a condition: {string.Join(", ", RunConditions.All)}."));
            }
        }

        Check(errors, request.Attempts is >= 1 and <= MaxAttempts, "attempts", $"attempts is between 1 and {MaxAttempts}.");
        Check(errors, request.TopN is >= 1 and <= MaxTopN, "topN", $"topN is between 1 and {MaxTopN}.");
        Check(errors, request.MaxSteps is >= 1 and <= MaxSteps, "maxSteps", $"maxSteps is between 1 and {MaxSteps}.");
        Check(errors, request.Limit is null || request.Sample is null, "limit", "Give either limit (the first N tasks) or sample (N random tasks), not both.");
        Check(errors, request.Limit is null or > 0, "limit", "limit is a positive number of tasks.");
        Check(errors, request.Sample is null or > 0, "sample", "sample is a positive number of tasks.");
        Check(errors, request.Seed is null || request.Sample is not null, "seed", "seed goes with sample.");
        Check(errors, request.Temperature is null or (>= 0 and <= 2), "temperature", "temperature is between 0 and 2.");
        Check(errors, request.MaxOutputTokens is null or > 0, "maxOutputTokens", "maxOutputTokens is a positive number.");
        Check(errors, request.MinAbstraction is null or (>= 0 and <= 1), "minAbstraction", "minAbstraction is between 0 and 1.");
        Check(errors, request.MaxTokens is null or > 0, "maxTokens", "maxTokens is a positive number.");
        Check(errors, request.MaxCost is null or > 0, "maxCost", "maxCost is a positive amount.");
        Check(errors, Enum.IsDefined(request.Mode), "mode", "mode is single or agent.");
        Check(errors, Enum.IsDefined(request.Query), "query", "query is plan or task.");

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var benchmarkName = request.Benchmark?.Trim() ?? "";
        var benchmark = benchmarkName.Length == 0 ? null
            : await db.Benchmarks.AsNoTracking().FirstOrDefaultAsync(b => b.Name.ToLower() == benchmarkName.ToLower(), cancellationToken);
        if (benchmark is null)
        {
            errors.Add(new FieldError("benchmark", benchmarkName.Length == 0 ? "Name the benchmark to run." : $"There is no benchmark '{benchmarkName}'."));
        }

        var connections = await db.Set<ModelConnection>().AsNoTracking().ToListAsync(cancellationToken);
        var connection = string.IsNullOrWhiteSpace(request.Model)
            ? (connections.Count == 1 ? connections[0] : null)
            : connections.FirstOrDefault(c => string.Equals(c.Name, request.Model.Trim(), StringComparison.OrdinalIgnoreCase));
        if (connection is null)
        {
            errors.Add(new FieldError("model", connections.Count == 0
                ? "No model connection is registered: an admin adds one, or set Llm:Endpoint and Llm:Model."
                : string.IsNullOrWhiteSpace(request.Model)
                    ? $"Name the model connection: {string.Join(", ", connections.Select(c => c.Name))}."
                    : $"There is no model connection '{request.Model}': {string.Join(", ", connections.Select(c => c.Name))}."));
        }

        var teamIds = new List<Guid>();
        if (request.Teams is { Count: > 0 })
        {
            var teams = await db.Teams.IdsByNameAsync(cancellationToken);
            foreach (var team in request.Teams)
            {
                if (teams.TryGetValue(team.Trim(), out var byName))
                {
                    teamIds.Add(byName);
                }
                else if (Guid.TryParse(team.Trim(), out var byId) && teams.ContainsValue(byId))
                {
                    teamIds.Add(byId);
                }
                else
                {
                    errors.Add(new FieldError("teams", $"There is no team '{team}'."));
                }
            }
        }

        if (errors.Count > 0)
        {
            return WriteResult<Run>.Fail(errors);
        }

        var tasks = await db.BenchmarkTasks.AsNoTracking()
            .Where(t => t.BenchmarkId == benchmark!.Id && (request.IncludeFailedReferences || t.ReferencePassed != false))
            .OrderBy(t => t.Ordinal)
            .Select(t => new { t.Id, t.Ordinal })
            .ToListAsync(cancellationToken);
        string selection;
        if (request.Limit is { } limit)
        {
            tasks = [.. tasks.Take(limit)];
            selection = $"first {limit}";
        }
        else if (request.Sample is { } sample)
        {
            var seed = request.Seed ?? 0;
            var random = new Random(seed);
            tasks = [.. tasks.OrderBy(_ => random.Next()).Take(sample).OrderBy(t => t.Ordinal)];
            selection = $"sample of {sample}, seed {seed.ToString(CultureInfo.InvariantCulture)}";
        }
        else
        {
            selection = "all";
        }

        if (tasks.Count == 0)
        {
            return WriteResult<Run>.Fail("benchmark", $"The benchmark '{benchmark!.Name}' has no task to run (tasks whose reference failed are left out).");
        }

        await pool.Loaded.WaitAsync(cancellationToken);
        var exclude = request.ExcludeDomains is { } domains ? domains.Select(d => d.Trim()).Where(d => d.Length > 0).ToList() : [benchmark!.Name];
        var frozen = RunPoolFilter.For(conditions, exclude, request.SourceModels, teamIds, request.MinAbstraction).Select(pool.AllServed());

        var run = new Run
        {
            Id = Guid.CreateVersion7(),
            BenchmarkId = benchmark!.Id,
            ModelConnectionId = connection!.Id,
            Status = RunStatus.Running,
            Conditions = conditions,
            Attempts = request.Attempts,
            Mode = request.Mode,
            Query = request.Query,
            Temperature = request.Temperature,
            MaxOutputTokens = request.MaxOutputTokens,
            TopN = request.TopN,
            MaxSteps = request.MaxSteps,
            Selection = selection,
            TaskIds = [.. tasks.Select(t => t.Id)],
            ExcludeDomains = exclude,
            SourceModels = request.SourceModels is { Count: > 0 } sm ? [.. sm] : null,
            Teams = teamIds.Count > 0 ? teamIds : null,
            MinAbstraction = request.MinAbstraction,
            PoolMemoryIds = [.. frozen.Select(m => m.MemoryId)],
            PoolRevisionIds = [.. frozen.Select(m => m.RevisionId)],
            MaxTokens = request.MaxTokens,
            MaxCost = request.MaxCost,
            CreatedBy = actor.UserId,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Set<Run>().Add(run);
        audit.Record(db, actor.UserId, "run.started", nameof(Run), run.Id.ToString(),
            $"{benchmark.Name} ({selection}, {tasks.Count} tasks) × {connection.Name} × {string.Join(", ", conditions)} × {request.Attempts}; pool of {frozen.Count}");
        await db.SaveChangesAsync(cancellationToken);

        run.Benchmark = benchmark;
        run.ModelConnection = connection;
        queue.EnqueueTasks(run.Id, run.TaskIds);
        return WriteResult<Run>.Ok(run);
    }

    /// <summary>Stops new attempts at once; attempts already running finish and are kept.</summary>
    public async Task<WriteResult<Run>> CancelAsync(Guid runId, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsAdmin && !actor.Roles.Contains(PortalRoles.Manager))
        {
            return WriteResult<Run>.Forbidden("Only managers and admins cancel runs.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var status = await db.Set<Run>().Where(r => r.Id == runId).Select(r => (RunStatus?)r.Status).FirstOrDefaultAsync(cancellationToken);
        if (status is null)
        {
            return WriteResult<Run>.NotFound("There is no run with this id.");
        }

        // Conditional, so a run that completes at this moment stays completed rather than being marked cancelled.
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await db.Set<Run>().Where(r => r.Id == runId && r.Status == RunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Cancelled).SetProperty(r => r.StatusReason, "cancelled").SetProperty(r => r.FinishedAt, now), cancellationToken);
        if (changed == 0)
        {
            var current = await db.Set<Run>().Where(r => r.Id == runId).Select(r => r.Status).FirstAsync(cancellationToken);
            return WriteResult<Run>.Conflict($"The run is already {current.ToString().ToLowerInvariant()}.");
        }

        audit.Record(db, actor.UserId, "run.cancelled", nameof(Run), runId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return WriteResult<Run>.Ok(await db.Set<Run>().AsNoTracking().FirstAsync(r => r.Id == runId, cancellationToken));
    }

    private static void Check(List<FieldError> errors, bool ok, string field, string message)
    {
        if (!ok)
        {
            errors.Add(new FieldError(field, message));
        }
    }
}
