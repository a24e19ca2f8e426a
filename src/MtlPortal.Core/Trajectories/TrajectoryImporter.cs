using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Auditing;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Runs;
using MtlPortal.Sandbox;

namespace MtlPortal.Trajectories;

/// <summary>What an import reads: the format, the source domain for records that name none, and the model for records whose format does not say.</summary>
/// <param name="FileName">The file's name, for the audit trail and SWE-agent's task reference.</param>
public sealed record TrajectoryImportRequest(TrajectoryFormat Format, string Text, string FileName, string? Domain, string? Model = null);

/// <summary>The outcome of an import: the new trajectories' ids in file order, or the errors by record, in which case nothing was written.</summary>
public sealed record TrajectoryImportResult(IReadOnlyList<Guid> TrajectoryIds, IReadOnlyList<TrajectoryError> Errors, bool Forbidden = false)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// Stores trajectories in their normalised form: from files in any supported format (all records or none, errors
/// by record), and from a run's own attempts (ground-truth verdicts from the sandbox; each attempt read once).
/// Every import is audited.
/// </summary>
public sealed class TrajectoryImporter(IDbContextFactory<PortalDbContext> contexts, AuditTrail audit, TimeProvider clock)
{
    /// <summary>The largest file read at once (50 MiB).</summary>
    public const int MaxFileBytes = 50 * 1024 * 1024;

    public const string UnknownModel = "unknown";

    /// <summary>Who may import: the people who may write memories, since memories are made from trajectories.</summary>
    public static string? Refusal(Actor actor) =>
        actor.IsContributor || actor.IsAdmin ? null : "Only contributors import trajectories.";

    /// <summary>Reads and stores every record of a file; with any invalid record nothing is stored.</summary>
    public async Task<TrajectoryImportResult> ImportAsync(Actor actor, TrajectoryImportRequest request, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(request);
        if (Refusal(actor) is { } refusal)
        {
            return new TrajectoryImportResult([], [new TrajectoryError("the import", "", refusal)], Forbidden: true);
        }

        var domain = string.IsNullOrWhiteSpace(request.Domain) ? null : request.Domain.Trim();
        var model = string.IsNullOrWhiteSpace(request.Model) ? null : request.Model.Trim();
        var (records, errors) = TrajectoryParser.Parse(request.Format, request.Text, request.FileName);
        if (errors.Count > 0)
        {
            return new TrajectoryImportResult([], errors);
        }

        var missingDomain = records.Where(r => r.Domain is null && domain is null).Select(r => new TrajectoryError(r.Record, "domain",
            "No source domain: give the import's domain (the benchmark or task family these trajectories come from).")).ToList();
        if (domain?.Length > Provenance.DomainMax || model?.Length > Provenance.ModelMax)
        {
            missingDomain.Add(new TrajectoryError("the import", domain?.Length > Provenance.DomainMax ? "domain" : "model", "is too long."));
        }

        missingDomain.AddRange(Validation.TextRules.Check([("domain", domain), ("model", model), ("name", request.FileName)])
            .Select(e => new TrajectoryError("the import", e.Field, e.Message)));
        if (missingDomain.Count > 0)
        {
            return new TrajectoryImportResult([], missingDomain);
        }

        var batch = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var origin = Shorten(request.FileName, Trajectory.OriginMax - 20);
        var rows = records.Select(r =>
        {
            var row = new Trajectory
            {
                Id = Guid.CreateVersion7(),
                Format = request.Format.Name(),
                SourceDomain = r.Domain ?? domain!,
                SourceTaskRef = r.TaskRef,
                SourceModel = r.Model ?? model ?? UnknownModel,
                TaskText = r.TaskText,
                FinalAnswer = r.FinalAnswer,
                Verdict = r.Verdict,
                VerdictOrigin = r.VerdictOrigin,
                VerdictNote = r.VerdictNote,
                Origin = r.Record == "the file" ? origin : $"{origin}, {r.Record}",
                BatchId = batch,
                ImportedBy = actor.UserId,
                ImportedAt = now,
            };
            row.SetSteps(r.Steps);
            return row;
        }).ToList();

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Set<Trajectory>().AddRange(rows);
        audit.Record(db, actor.UserId, "trajectories.imported", "trajectory-batch", batch.ToString(),
            JsonSerializer.Serialize(new { count = rows.Count, format = request.Format.Name(), from = origin }));
        progress?.Report((0, rows.Count));
        await db.SaveChangesAsync(cancellationToken);
        progress?.Report((rows.Count, rows.Count));
        return new TrajectoryImportResult([.. rows.Select(r => r.Id)], []);
    }

    /// <summary>
    /// The trajectories of a finished run's attempts, stored on first use: an agent-mode attempt's steps are its
    /// tool calls, a single-mode attempt is one step; the sandbox's verdict is ground truth. Attempts whose model
    /// call failed (no answer) are not trajectories and are left out.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> FromRunAsync(Guid runId, string actorId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var run = await db.Set<Run>().AsNoTracking().Include(r => r.Benchmark).Include(r => r.ModelConnection).FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null)
        {
            return [];
        }

        var known = await db.Set<Trajectory>().Where(t => t.RunId == runId && t.RunAttemptId != null).Select(t => t.RunAttemptId!.Value).ToListAsync(cancellationToken);
        var attempts = await db.Set<RunAttempt>().AsNoTracking()
            .Where(a => a.RunId == runId && a.Answer != null && a.Verdict != null && !known.Contains(a.Id))
            .OrderBy(a => a.FinishedAt).ToListAsync(cancellationToken);
        var taskIds = attempts.Select(a => a.TaskId).Distinct().ToList();
        var tasks = await db.BenchmarkTasks.AsNoTracking().Where(t => taskIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, cancellationToken);
        var now = clock.GetUtcNow();
        var batch = Guid.CreateVersion7();
        foreach (var attempt in attempts)
        {
            var task = tasks[attempt.TaskId];
            var row = new Trajectory
            {
                Id = Guid.CreateVersion7(),
                Format = TrajectoryFormats.Runner,
                SourceDomain = run.Benchmark!.Name,
                SourceTaskRef = task.TaskId,
                SourceModel = Shorten(run.ModelConnection!.Model, Provenance.ModelMax),
                TaskText = task.Prompt,
                FinalAnswer = attempt.Program ?? attempt.Answer,
                Verdict = attempt.Passed ? TrajectoryVerdict.Passed : TrajectoryVerdict.Failed,
                VerdictOrigin = VerdictOrigin.GroundTruth,
                VerdictNote = $"sandbox: {attempt.Verdict}",
                Origin = $"run {run.Id:N}, task {Shorten(task.TaskId, 100)}, {attempt.Condition} attempt {attempt.AttemptNumber}",
                BatchId = batch,
                RunId = run.Id,
                RunAttemptId = attempt.Id,
                ImportedBy = actorId,
                ImportedAt = now,
            };
            row.SetSteps(StepsOf(attempt));
            db.Set<Trajectory>().Add(row);
        }

        if (attempts.Count > 0)
        {
            audit.Record(db, actorId, "trajectories.imported", "trajectory-batch", batch.ToString(),
                JsonSerializer.Serialize(new { count = attempts.Count, format = TrajectoryFormats.Runner, from = $"run {run.Id}" }));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
            {
                // Another job read the same attempts at the same moment; its rows stand.
            }
        }

        return await db.Set<Trajectory>().AsNoTracking().Where(t => t.RunId == runId && t.RunAttemptId != null)
            .OrderBy(t => t.ImportedAt).ThenBy(t => t.Id).Select(t => t.Id).ToListAsync(cancellationToken);
    }

    /// <summary>An attempt's steps: each <c>run_code</c> call with what it printed, or the one answer with the sandbox's verdict.</summary>
    public static IReadOnlyList<TrajectoryTurn> StepsOf(RunAttempt attempt)
    {
        var steps = new List<TrajectoryTurn>();
        using (var document = JsonDocument.Parse(attempt.Steps))
        {
            foreach (var step in document.RootElement.EnumerateArray())
            {
                var code = step.TryGetProperty("code", out var c) ? c.GetString() ?? "" : "";
                var verdict = step.TryGetProperty("verdict", out var v) ? v.ToString() : "";
                var output = step.TryGetProperty("output", out var o) ? o.ToString() : "";
                steps.Add(new TrajectoryTurn(null, $"run_code:\n{code}", $"{verdict}\n{output}".Trim()));
            }
        }

        if (steps.Count == 0)
        {
            steps.Add(new TrajectoryTurn(null, attempt.Program ?? attempt.Answer ?? "", $"{attempt.Verdict}\n{attempt.Output}".Trim()));
        }

        return steps;
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max];
}
