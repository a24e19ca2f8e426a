using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MtlPortal.Trajectories;

/// <summary>Whether the attempt a trajectory records solved its task.</summary>
public enum TrajectoryVerdict
{
    Unknown = 0,
    Passed = 1,
    Failed = 2,
}

/// <summary>Who decided a trajectory's verdict: the source itself (a sandbox, a harness's reward), a strict LLM judge, or nobody yet.</summary>
public enum VerdictOrigin
{
    Unknown = 0,
    GroundTruth = 1,
    LlmJudge = 2,
}

/// <summary>One step of an agent's trajectory: why (its reasoning, if recorded), what it did, and what it saw.</summary>
public sealed record TrajectoryTurn(string? Thought, string Action, string? Observation);

/// <summary>
/// An agent's attempt at a task in one normalised form, whatever format it came in (SWE-agent, ATIF, OpenHands,
/// mini-swe-agent, InterCode, our JSONL, or the runner's own attempts): the task, the ordered steps, the final
/// answer or patch, the model, where it came from, and its verdict with the verdict's origin. Memories are
/// generated from it and link back to it.
/// </summary>
public sealed class Trajectory
{
    public const int FormatMax = 40;
    public const int OriginMax = 300;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Guid Id { get; set; }

    /// <summary>The format it was read from: <c>swe-agent</c>, <c>atif</c>, ..., or <c>runner</c>.</summary>
    public string Format { get; set; } = "";

    /// <summary>The benchmark or task family, as memories' provenance names it.</summary>
    public string SourceDomain { get; set; } = "";

    public string? SourceTaskRef { get; set; }

    /// <summary>The model whose attempt this is; <c>unknown</c> when the source does not say.</summary>
    public string SourceModel { get; set; } = "";

    public string TaskText { get; set; } = "";

    /// <summary>The <see cref="TrajectoryTurn"/>s as JSON (jsonb).</summary>
    public string StepsJson { get; set; } = "[]";

    public int StepCount { get; set; }

    /// <summary>The final answer, submission or patch; null when the agent gave none.</summary>
    public string? FinalAnswer { get; set; }

    public TrajectoryVerdict Verdict { get; set; }

    public VerdictOrigin VerdictOrigin { get; set; }

    /// <summary>Why the verdict is what it is: the harness's reward, the sandbox's verdict, or the judge's answer.</summary>
    public string? VerdictNote { get; set; }

    /// <summary>Where it came from for people: a file and record, or a run's attempt.</summary>
    public string Origin { get; set; } = "";

    /// <summary>The import batch it arrived in (one file or request); a run's attempts share one per run.</summary>
    public Guid BatchId { get; set; }

    public Guid? RunId { get; set; }

    /// <summary>The runner attempt it was read from; at most one trajectory per attempt.</summary>
    public Guid? RunAttemptId { get; set; }

    public string ImportedBy { get; set; } = "";

    public DateTimeOffset ImportedAt { get; set; }

    public IReadOnlyList<TrajectoryTurn> Steps => JsonSerializer.Deserialize<List<TrajectoryTurn>>(StepsJson, Json) ?? [];

    public void SetSteps(IReadOnlyList<TrajectoryTurn> steps)
    {
        StepsJson = JsonSerializer.Serialize(steps, Json);
        StepCount = steps.Count;
    }
}

internal sealed class TrajectoryConfiguration : IEntityTypeConfiguration<Trajectory>
{
    public void Configure(EntityTypeBuilder<Trajectory> trajectory)
    {
        trajectory.ToTable("Trajectories");
        trajectory.Property(t => t.Format).HasMaxLength(Trajectory.FormatMax).IsRequired();
        trajectory.Property(t => t.SourceDomain).HasMaxLength(Memories.Provenance.DomainMax).IsRequired();
        trajectory.Property(t => t.SourceTaskRef).HasMaxLength(Memories.Provenance.TaskRefMax);
        trajectory.Property(t => t.SourceModel).HasMaxLength(Memories.Provenance.ModelMax).IsRequired();
        trajectory.Property(t => t.TaskText).IsRequired();
        trajectory.Property(t => t.StepsJson).HasColumnType("jsonb").IsRequired();
        trajectory.Property(t => t.Verdict).HasConversion<string>().HasMaxLength(20);
        trajectory.Property(t => t.VerdictOrigin).HasConversion<string>().HasMaxLength(20);
        trajectory.Property(t => t.Origin).HasMaxLength(Trajectory.OriginMax).IsRequired();
        trajectory.Property(t => t.ImportedBy).HasMaxLength(450).IsRequired();
        trajectory.Ignore(t => t.Steps);
        trajectory.HasOne<Runs.Run>().WithMany().HasForeignKey(t => t.RunId).OnDelete(DeleteBehavior.SetNull);
        trajectory.HasIndex(t => t.RunAttemptId).IsUnique();
        trajectory.HasIndex(t => t.BatchId);
        trajectory.HasIndex(t => t.ImportedAt);
    }
}
