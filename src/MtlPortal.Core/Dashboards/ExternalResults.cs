using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MtlPortal.Auditing;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Runs;
using MtlPortal.Sandbox;
using MtlPortal.Users;
using MtlPortal.Validation;

namespace MtlPortal.Dashboards;

/// <summary>A task of an external run, named as the file named it (its benchmark need not be one the portal holds).</summary>
public sealed class ExternalTask
{
    public Guid Id { get; set; }

    public Guid RunId { get; set; }

    public string Benchmark { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>Order of first appearance in the file.</summary>
    public int Ordinal { get; set; }
}

internal sealed class ExternalTaskConfiguration : IEntityTypeConfiguration<ExternalTask>
{
    public void Configure(EntityTypeBuilder<ExternalTask> task)
    {
        task.ToTable("RunExternalTasks");
        task.Property(t => t.Benchmark).HasMaxLength(200).IsRequired();
        task.Property(t => t.Name).HasMaxLength(500).IsRequired();
        task.HasOne<Run>().WithMany().HasForeignKey(t => t.RunId).OnDelete(DeleteBehavior.Cascade);
        task.HasIndex(t => new { t.RunId, t.Benchmark, t.Name }).IsUnique();
    }
}

/// <summary>An error in an imported file, with its 1-based line (0 for the file as a whole).</summary>
public sealed record LineError(int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"line {Line}: {Message}" : Message;
}

/// <summary>What an import made: one external run per model in the file.</summary>
public sealed record ExternalImport(IReadOnlyList<ExternalImportedRun> Runs, IReadOnlyList<LineError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

public sealed record ExternalImportedRun(Guid RunId, string Model, int Tasks, int Attempts, IReadOnlyList<string> Conditions, IReadOnlyList<string> Benchmarks);

/// <summary>
/// Imports per-attempt outcomes produced elsewhere (docs/external-results-jsonl.md) as external runs, one per model,
/// into the same tables as the runner's runs. All or nothing: a file with any error imports nothing, and every error
/// names its line.
/// </summary>
public sealed class ExternalResultsImporter(IDbContextFactory<PortalDbContext> contexts, AuditTrail audit, TimeProvider clock)
{
    public const string ImportedAction = "run.external-imported";
    public const int MaxErrors = 50;

    private const int MaxAttempt = 1000;

    private sealed record Line(int Number, string Benchmark, string Task, string Condition, int Attempt, bool Passed, string Model,
        IReadOnlyList<Guid> MemoryIds, long TokensIn, long TokensOut, double LatencyMs, decimal? Cost);

    /// <param name="source">The results' origin in words (a harness, a file name); shown as the run's name.</param>
    public async Task<WriteResult<ExternalImport>> ImportAsync(Stream jsonl, string source, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonl);
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsAdmin && !actor.Roles.Contains(PortalRoles.Manager))
        {
            return WriteResult<ExternalImport>.Forbidden("Only managers and admins import external results.");
        }

        source = source?.Trim() ?? "";
        if (source.Length is 0 or > 200 || TextRules.IndexOfUnstorable(source) >= 0)
        {
            return WriteResult<ExternalImport>.Fail("source", "Name where the results come from (a harness or file name, at most 200 characters).");
        }

        var errors = new List<LineError>();
        var lines = new List<Line>();
        using (var reader = new StreamReader(jsonl))
        {
            var number = 0;
            while (await reader.ReadLineAsync(cancellationToken) is { } text)
            {
                number++;
                if (string.IsNullOrWhiteSpace(text))
                {
                    continue;
                }

                if (Parse(number, text, errors) is { } line)
                {
                    lines.Add(line);
                }

                if (errors.Count >= MaxErrors)
                {
                    break;
                }
            }
        }

        if (errors.Count == 0 && lines.Count == 0)
        {
            errors.Add(new LineError(0, "The file holds no results."));
        }

        // The same attempt twice would be counted twice: refuse it, naming both lines.
        var seen = new Dictionary<(string, string, string, string, int), int>();
        foreach (var line in lines)
        {
            var key = (line.Model, line.Benchmark, line.Task, line.Condition, line.Attempt);
            if (!seen.TryAdd(key, line.Number))
            {
                errors.Add(new LineError(line.Number, $"attempt {line.Attempt} of task '{line.Task}' ({line.Benchmark}, {line.Condition}, {line.Model}) is already on line {seen[key]}."));
            }
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var memoryIds = lines.SelectMany(l => l.MemoryIds).Distinct().ToList();
        if (memoryIds.Count > 0)
        {
            var known = (await db.Memories.Where(m => memoryIds.Contains(m.Id)).Select(m => m.Id).ToListAsync(cancellationToken)).ToHashSet();
            foreach (var line in lines)
            {
                if (line.MemoryIds.FirstOrDefault(id => !known.Contains(id)) is var unknown && unknown != Guid.Empty)
                {
                    errors.Add(new LineError(line.Number, $"memoryIds: there is no memory {unknown} in the portal."));
                }
            }
        }

        if (errors.Count > 0)
        {
            return new WriteResult<ExternalImport>(new ExternalImport([], [.. errors.OrderBy(e => e.Line).Take(MaxErrors)]), [new FieldError("file", "The file has errors; nothing was imported.")], WriteFailure.Invalid);
        }

        var now = clock.GetUtcNow();
        var imported = new List<ExternalImportedRun>();
        foreach (var byModel in lines.GroupBy(l => l.Model, StringComparer.Ordinal))
        {
            var run = new Run
            {
                Id = Guid.CreateVersion7(),
                Kind = RunKind.External,
                ExternalModel = byModel.Key,
                ExternalSource = source,
                Status = RunStatus.Completed,
                Conditions = [.. byModel.Select(l => l.Condition).Distinct().OrderBy(c => RunConditionsOrder(c))],
                Attempts = byModel.Max(l => l.Attempt),
                Selection = "imported",
                TopN = Math.Max(1, byModel.Max(l => l.MemoryIds.Count)),
                MaxSteps = 1,
                CreatedBy = actor.UserId,
                CreatedAt = now,
                FinishedAt = now,
            };
            var tasks = new Dictionary<(string, string), ExternalTask>();
            foreach (var line in byModel)
            {
                if (!tasks.ContainsKey((line.Benchmark, line.Task)))
                {
                    tasks[(line.Benchmark, line.Task)] = new ExternalTask { Id = Guid.CreateVersion7(), RunId = run.Id, Benchmark = line.Benchmark, Name = line.Task, Ordinal = tasks.Count };
                }
            }

            run.TaskIds = [.. tasks.Values.Select(t => t.Id)];
            db.Set<Run>().Add(run);
            db.Set<ExternalTask>().AddRange(tasks.Values);
            db.Set<RunAttempt>().AddRange(byModel.Select(line => new RunAttempt
            {
                Id = Guid.CreateVersion7(),
                RunId = run.Id,
                TaskId = tasks[(line.Benchmark, line.Task)].Id,
                Condition = line.Condition,
                AttemptNumber = line.Attempt,
                Memories = JsonSerializer.Serialize(line.MemoryIds.Select((id, i) => new { rank = i + 1, memoryId = id })),
                Verdict = line.Passed ? SandboxVerdict.Passed : SandboxVerdict.Failed,
                TokensIn = line.TokensIn,
                TokensOut = line.TokensOut,
                LatencyMs = line.LatencyMs,
                Cost = line.Cost,
                FinishedAt = now,
            }));
            var benchmarks = tasks.Keys.Select(k => k.Item1).Distinct().ToList();
            audit.Record(db, actor.UserId, ImportedAction, nameof(Run), run.Id.ToString(),
                $"{source}: {byModel.Key}, {tasks.Count} tasks of {string.Join(", ", benchmarks)}, {byModel.Count()} attempts, {string.Join(", ", run.Conditions)}");
            imported.Add(new ExternalImportedRun(run.Id, byModel.Key, tasks.Count, byModel.Count(), run.Conditions, benchmarks));
        }

        await db.SaveChangesAsync(cancellationToken);
        return WriteResult<ExternalImport>.Ok(new ExternalImport(imported, []));
    }

    private static int RunConditionsOrder(string condition) => RunConditions.All.ToList().IndexOf(condition);

    private static Line? Parse(int number, string text, List<LineError> errors)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            errors.Add(new LineError(number, $"not valid JSON ({e.Message.Split('.')[0]})."));
            return null;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new LineError(number, "each line is one JSON object."));
            return null;
        }

        var before = errors.Count;
        void Error(string message) => errors.Add(new LineError(number, message));

        string Text(string name, int max)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
            {
                Error($"{name} is required: a non-empty string.");
                return "";
            }

            var s = value.GetString()!.Trim();
            if (s.Length > max || TextRules.IndexOfUnstorable(s) >= 0)
            {
                Error($"{name} is at most {max} characters of plain text.");
            }

            return s;
        }

        double? Number(string name)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var d) || d < 0)
            {
                Error($"{name} is a number ≥ 0.");
                return null;
            }

            return d;
        }

        long Count(string name)
        {
            var d = Number(name);
            if (d is { } v && v != Math.Floor(v))
            {
                Error($"{name} is a whole number.");
            }

            return (long)(d ?? 0);
        }

        var benchmark = Text("benchmark", 200);
        var task = Text("task", 500);
        var model = Text("model", 200);
        var conditionText = Text("condition", 20);
        var condition = RunConditions.Parse(conditionText);
        if (conditionText.Length > 0 && condition is null)
        {
            Error($"condition '{conditionText}' is not one of {string.Join(", ", RunConditions.All)}.");
        }

        var attempt = 0;
        if (!root.TryGetProperty("attempt", out var attemptValue) || attemptValue.ValueKind != JsonValueKind.Number
            || !attemptValue.TryGetInt32(out attempt) || attempt < 1 || attempt > MaxAttempt)
        {
            Error($"attempt is required: a whole number from 1 to {MaxAttempt}.");
        }

        var passed = false;
        if (!root.TryGetProperty("passed", out var passedValue) || passedValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Error("passed is required: true or false.");
        }
        else
        {
            passed = passedValue.GetBoolean();
        }

        var memoryIds = new List<Guid>();
        if (root.TryGetProperty("memoryIds", out var ids) && ids.ValueKind != JsonValueKind.Null)
        {
            if (ids.ValueKind != JsonValueKind.Array || ids.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.String || !Guid.TryParse(i.GetString(), out _)))
            {
                Error("memoryIds is a list of memory ids (GUID strings).");
            }
            else
            {
                memoryIds.AddRange(ids.EnumerateArray().Select(i => Guid.Parse(i.GetString()!, CultureInfo.InvariantCulture)));
            }
        }

        if (memoryIds.Count > 0 && condition == RunConditions.ZeroShot)
        {
            Error("a zero-shot attempt has no memories.");
        }

        var tokensIn = Count("tokensIn");
        var tokensOut = Count("tokensOut");
        var latency = Number("latencyMs") ?? 0;
        var cost = Number("cost") is { } c ? (decimal?)Math.Round((decimal)c, 6) : null;
        return errors.Count > before ? null
            : new Line(number, benchmark, task, condition!, attempt, passed, model, memoryIds, tokensIn, tokensOut, latency, cost);
    }
}
