using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using MtlPortal.Memories;
using MtlPortal.Trajectories;

namespace MtlPortal.Generation;

public enum GenerationStatus
{
    /// <summary>Waiting for the job engine.</summary>
    Queued = 0,

    Running = 1,

    /// <summary>Every trajectory was worked on.</summary>
    Completed = 2,

    /// <summary>Someone cancelled it; memories made until then stay in review.</summary>
    Cancelled = 3,

    /// <summary>The model server failed; memories made until then stay in review.</summary>
    Failed = 4,
}

/// <summary>Which trajectories memories are made from, by verdict.</summary>
public enum GenerationOutcomes
{
    All = 0,
    Successes = 1,
    Failures = 2,
}

/// <summary>A memory the model's answer could not become, and why.</summary>
public sealed record GenerationProblem(Guid TrajectoryId, string Kind, string Reason);

/// <summary>
/// One "generate memories" job: trajectories × kinds with a model connection, into one team's review queue. Fixed
/// when it starts (the trajectories, kinds, outcomes, team and model); its progress is updated as it works.
/// </summary>
public sealed class GenerationJob
{
    public Guid Id { get; set; }

    public GenerationStatus Status { get; set; }

    public string? StatusReason { get; set; }

    /// <summary>Memory kinds, lower-case, in the order given.</summary>
    public List<string> Kinds { get; set; } = [];

    public GenerationOutcomes Outcomes { get; set; }

    public Guid TeamId { get; set; }

    public Guid ModelConnectionId { get; set; }

    /// <summary>The run whose attempts are the trajectories; null when trajectories were chosen.</summary>
    public Guid? RunId { get; set; }

    public List<Guid> TrajectoryIds { get; set; } = [];

    /// <summary>How many trajectories are done; a restarted job goes on from here.</summary>
    public int TrajectoriesDone { get; set; }

    /// <summary>The model calls it expects to make at most (judge calls included).</summary>
    public int PlannedCalls { get; set; }

    public int CallsDone { get; set; }

    public int MemoriesCreated { get; set; }

    /// <summary>Trajectories left out because their verdict is not among <see cref="Outcomes"/>.</summary>
    public int TrajectoriesSkipped { get; set; }

    /// <summary>The <see cref="GenerationProblem"/>s as JSON (jsonb).</summary>
    public string Problems { get; set; } = "[]";

    public long TokensIn { get; set; }

    public long TokensOut { get; set; }

    public decimal? Cost { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public bool IsFinished => Status is GenerationStatus.Completed or GenerationStatus.Cancelled or GenerationStatus.Failed;

    public IReadOnlyList<MemoryKind> MemoryKinds => [.. Kinds.Select(k => Enum.Parse<MemoryKind>(k, ignoreCase: true))];
}

/// <summary>A generated memory's link to the trajectory it came from and the job that made it.</summary>
public sealed class GeneratedMemory
{
    public Guid MemoryId { get; set; }

    public Guid TrajectoryId { get; set; }

    public Guid JobId { get; set; }

    /// <summary>The model connection's model that wrote it.</summary>
    public string GeneratorModel { get; set; } = "";
}

internal sealed class GenerationJobConfiguration : IEntityTypeConfiguration<GenerationJob>
{
    public void Configure(EntityTypeBuilder<GenerationJob> job)
    {
        job.ToTable("GenerationJobs");
        job.Property(j => j.Status).HasConversion<string>().HasMaxLength(20);
        job.Property(j => j.Outcomes).HasConversion<string>().HasMaxLength(20);
        job.Property(j => j.Problems).HasColumnType("jsonb").IsRequired();
        job.Property(j => j.Cost).HasPrecision(18, 6);
        job.Property(j => j.CreatedBy).HasMaxLength(450).IsRequired();
        job.Ignore(j => j.IsFinished);
        job.Ignore(j => j.MemoryKinds);
        job.HasOne<Teams.Team>().WithMany().HasForeignKey(j => j.TeamId).OnDelete(DeleteBehavior.Restrict);
        job.HasOne<Runs.ModelConnection>().WithMany().HasForeignKey(j => j.ModelConnectionId).OnDelete(DeleteBehavior.Restrict);
        job.HasOne<Runs.Run>().WithMany().HasForeignKey(j => j.RunId).OnDelete(DeleteBehavior.SetNull);
        job.HasIndex(j => j.CreatedAt);
    }
}

internal sealed class GeneratedMemoryConfiguration : IEntityTypeConfiguration<GeneratedMemory>
{
    public void Configure(EntityTypeBuilder<GeneratedMemory> link)
    {
        link.ToTable("GeneratedMemories");
        link.HasKey(l => l.MemoryId);
        link.Property(l => l.GeneratorModel).HasMaxLength(200).IsRequired();
        link.HasOne<Memory>().WithOne().HasForeignKey<GeneratedMemory>(l => l.MemoryId).OnDelete(DeleteBehavior.Cascade);
        link.HasOne<Trajectory>().WithMany().HasForeignKey(l => l.TrajectoryId).OnDelete(DeleteBehavior.Restrict);
        link.HasOne<GenerationJob>().WithMany().HasForeignKey(l => l.JobId).OnDelete(DeleteBehavior.Cascade);
        link.HasIndex(l => l.TrajectoryId);
        link.HasIndex(l => l.JobId);
    }
}
