using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MtlPortal.Benchmarks;
using MtlPortal.Sandbox;

namespace MtlPortal.Runs;

public enum RunStatus
{
    /// <summary>Attempts are waiting or running.</summary>
    Running = 0,

    /// <summary>Every attempt is recorded.</summary>
    Completed = 1,

    /// <summary>Someone cancelled it; no new attempt starts.</summary>
    Cancelled = 2,

    /// <summary>A cap (tokens, cost) was reached; no new attempt starts.</summary>
    Stopped = 3,

    /// <summary>A task's job failed on every retry (a model server that keeps refusing): the run cannot complete.</summary>
    Failed = 4,
}

/// <summary><c>single</c>: one answer per attempt. <c>agent</c>: the model may run code against the visible examples first.</summary>
public enum RunMode
{
    Single = 0,
    Agent = 1,
}

/// <summary>What is embedded to retrieve memories: the model's short plan (the paper's way) or the task text.</summary>
public enum RetrievalQuery
{
    Plan = 0,
    Task = 1,
}

/// <summary>Where a run's attempts came from.</summary>
public enum RunKind
{
    /// <summary>Made by the portal's runner against one of its benchmarks and model connections.</summary>
    Agent = 0,

    /// <summary>Imported from a harness elsewhere (per-attempt outcomes); its tasks are <c>RunExternalTasks</c>.</summary>
    External = 1,
}

/// <summary>
/// A benchmark × a model × conditions × attempts, with everything fixed when it starts: the tasks, the settings and
/// the pool of approved revisions its retrievals may return.
/// </summary>
public sealed class Run
{
    public Guid Id { get; set; }

    public RunKind Kind { get; set; }

    /// <summary>Null for an external run, whose tasks may come from benchmarks the portal does not hold.</summary>
    public Guid? BenchmarkId { get; set; }

    public Benchmark? Benchmark { get; set; }

    /// <summary>Null for an external run: its model is <see cref="ExternalModel"/>.</summary>
    public Guid? ModelConnectionId { get; set; }

    public ModelConnection? ModelConnection { get; set; }

    /// <summary>An external run's model, as the imported file names it.</summary>
    public string? ExternalModel { get; set; }

    /// <summary>An external run's origin in words (the harness or file it came from).</summary>
    public string? ExternalSource { get; set; }

    public RunStatus Status { get; set; }

    /// <summary>Why it stopped early (a cap, a cancel, a failure); null otherwise.</summary>
    public string? StatusReason { get; set; }

    /// <summary><c>zero-shot</c> and memory kinds, in the order given.</summary>
    public List<string> Conditions { get; set; } = [];

    /// <summary>Attempts per task and condition.</summary>
    public int Attempts { get; set; }

    public RunMode Mode { get; set; }

    public RetrievalQuery Query { get; set; }

    public float? Temperature { get; set; }

    public int? MaxOutputTokens { get; set; }

    /// <summary>Memories inserted per attempt (top-N).</summary>
    public int TopN { get; set; }

    /// <summary>In agent mode, how many times the model may call <c>run_code</c>.</summary>
    public int MaxSteps { get; set; }

    /// <summary>How the tasks were chosen, in words ("all", "first 10", "sample of 10, seed 7").</summary>
    public string Selection { get; set; } = "";

    /// <summary>The chosen tasks' ids, in order: fixed at the start.</summary>
    public List<Guid> TaskIds { get; set; } = [];

    public List<string> ExcludeDomains { get; set; } = [];

    public List<string>? SourceModels { get; set; }

    public List<Guid>? Teams { get; set; }

    public double? MinAbstraction { get; set; }

    /// <summary>The frozen pool: memories eligible at the start, beside <see cref="PoolRevisionIds"/> (same order).</summary>
    public List<Guid> PoolMemoryIds { get; set; } = [];

    /// <summary>The approved revision each of <see cref="PoolMemoryIds"/> had at the start.</summary>
    public List<Guid> PoolRevisionIds { get; set; } = [];

    /// <summary>Stop once this many tokens (in + out, plans included) are spent; null for no cap.</summary>
    public long? MaxTokens { get; set; }

    /// <summary>Stop once this cost is reached; null for no cap.</summary>
    public decimal? MaxCost { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Tasks × conditions × attempts.</summary>
    public int ExpectedAttempts => TaskIds.Count * Conditions.Count * Attempts;

    public IReadOnlyDictionary<Guid, Guid> FrozenPool()
    {
        var pool = new Dictionary<Guid, Guid>(PoolMemoryIds.Count);
        for (var i = 0; i < PoolMemoryIds.Count; i++)
        {
            pool[PoolMemoryIds[i]] = PoolRevisionIds[i];
        }

        return pool;
    }
}

/// <summary>The plan the model wrote for one task of a run, embedded for retrieval and reused by every condition and attempt.</summary>
public sealed class RunPlan
{
    public Guid RunId { get; set; }

    public Guid TaskId { get; set; }

    public string Plan { get; set; } = "";

    public long TokensIn { get; set; }

    public long TokensOut { get; set; }

    public decimal? Cost { get; set; }
}

/// <summary>One attempt at one task under one condition: what was asked, what came back, and how it ran.</summary>
public sealed class RunAttempt
{
    public Guid Id { get; set; }

    public Guid RunId { get; set; }

    /// <summary>The <see cref="BenchmarkTask"/>'s id.</summary>
    public Guid TaskId { get; set; }

    public string Condition { get; set; } = "";

    /// <summary>From 1.</summary>
    public int AttemptNumber { get; set; }

    /// <summary>The search log's id for this attempt's retrieval; null for zero-shot.</summary>
    public Guid? RetrievalId { get; set; }

    /// <summary>The memories inserted, as JSON: <c>[{rank, memoryId, revisionId, score}]</c>.</summary>
    public string Memories { get; set; } = "[]";

    /// <summary>The exact messages sent and received, as JSON: <c>[{role, content}]</c>, tool calls and results included.</summary>
    public string Messages { get; set; } = "[]";

    public string? Answer { get; set; }

    /// <summary>The code taken from the answer (before it is joined with the task's tests).</summary>
    public string? Program { get; set; }

    /// <summary>Null when no program ran (the model call failed).</summary>
    public SandboxVerdict? Verdict { get; set; }

    public string? Output { get; set; }

    /// <summary>Agent mode: every <c>run_code</c> call and its observation, as JSON: <c>[{code, verdict, output}]</c>.</summary>
    public string Steps { get; set; } = "[]";

    /// <summary>The memory the model said it used, as its rank in the prompt; null when it did not say or said none.</summary>
    public int? MemoryUsedRank { get; set; }

    public Guid? MemoryUsedId { get; set; }

    public long TokensIn { get; set; }

    public long TokensOut { get; set; }

    /// <summary>The whole attempt: retrieval, model call and sandbox run.</summary>
    public double LatencyMs { get; set; }

    /// <summary>The model call, tool steps included in agent mode; null when there was none.</summary>
    public double? ModelMs { get; set; }

    /// <summary>Running the answer against the hidden tests; null when no program ran.</summary>
    public double? SandboxMs { get; set; }

    public decimal? Cost { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset FinishedAt { get; set; }

    public bool Passed => Verdict == SandboxVerdict.Passed;
}

internal sealed class RunConfiguration : IEntityTypeConfiguration<Run>
{
    public void Configure(EntityTypeBuilder<Run> run)
    {
        run.ToTable("Runs");
        run.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
        run.Property(r => r.Kind).HasConversion<string>().HasMaxLength(20);
        run.Property(r => r.ExternalModel).HasMaxLength(200);
        run.Property(r => r.ExternalSource).HasMaxLength(200);
        run.Property(r => r.Mode).HasConversion<string>().HasMaxLength(20);
        run.Property(r => r.Query).HasConversion<string>().HasMaxLength(20);
        run.Property(r => r.Selection).HasMaxLength(200).IsRequired();
        run.Property(r => r.CreatedBy).HasMaxLength(450).IsRequired();
        run.Property(r => r.MaxCost).HasPrecision(18, 6);
        run.Ignore(r => r.ExpectedAttempts);
        run.HasOne(r => r.Benchmark).WithMany().HasForeignKey(r => r.BenchmarkId).OnDelete(DeleteBehavior.Restrict);
        run.HasOne(r => r.ModelConnection).WithMany().HasForeignKey(r => r.ModelConnectionId).OnDelete(DeleteBehavior.Restrict);
        run.HasIndex(r => r.CreatedAt);
    }
}

internal sealed class RunPlanConfiguration : IEntityTypeConfiguration<RunPlan>
{
    public void Configure(EntityTypeBuilder<RunPlan> plan)
    {
        plan.ToTable("RunPlans");
        plan.HasKey(p => new { p.RunId, p.TaskId });
        plan.Property(p => p.Cost).HasPrecision(18, 6);
        plan.HasOne<Run>().WithMany().HasForeignKey(p => p.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RunAttemptConfiguration : IEntityTypeConfiguration<RunAttempt>
{
    public void Configure(EntityTypeBuilder<RunAttempt> attempt)
    {
        attempt.ToTable("RunAttempts");
        attempt.Property(a => a.Condition).HasMaxLength(20).IsRequired();
        attempt.Property(a => a.Memories).HasColumnType("jsonb").IsRequired();
        attempt.Property(a => a.Messages).HasColumnType("jsonb").IsRequired();
        attempt.Property(a => a.Steps).HasColumnType("jsonb").IsRequired();
        attempt.Property(a => a.Verdict).HasConversion<string>().HasMaxLength(20);
        attempt.Property(a => a.Cost).HasPrecision(18, 6);
        attempt.Ignore(a => a.Passed);
        attempt.HasOne<Run>().WithMany().HasForeignKey(a => a.RunId).OnDelete(DeleteBehavior.Cascade);

        // An attempt is recorded once however often its job runs (a restart, two workers): the insert that comes
        // second finds the key taken and is dropped.
        attempt.HasIndex(a => new { a.RunId, a.TaskId, a.Condition, a.AttemptNumber }).IsUnique();
    }
}
