using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MtlPortal.Benchmarks;

internal sealed class BenchmarkConfiguration : IEntityTypeConfiguration<Benchmark>
{
    public void Configure(EntityTypeBuilder<Benchmark> benchmark)
    {
        benchmark.Property(b => b.Name).HasMaxLength(Benchmark.NameMax).IsRequired();
        benchmark.Property(b => b.Format).HasConversion<string>().HasMaxLength(20);
        benchmark.Property(b => b.SourceName).HasMaxLength(260).IsRequired();
        benchmark.Property(b => b.ImportedBy).HasMaxLength(450).IsRequired();
        benchmark.HasIndex(b => b.Name).IsUnique();
        benchmark.HasMany(b => b.Tasks).WithOne(t => t.Benchmark).HasForeignKey(t => t.BenchmarkId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BenchmarkTaskConfiguration : IEntityTypeConfiguration<BenchmarkTask>
{
    public void Configure(EntityTypeBuilder<BenchmarkTask> task)
    {
        task.Property(t => t.TaskId).HasMaxLength(BenchmarkTask.TaskIdMax).IsRequired();
        task.Property(t => t.Language).HasConversion<string>().HasMaxLength(20);
        task.Property(t => t.Style).HasConversion<string>().HasMaxLength(20);
        task.Property(t => t.Prompt).IsRequired();
        task.Property(t => t.EntryPoint).HasMaxLength(BenchmarkTask.EntryPointMax).IsRequired();
        task.Property(t => t.Header).IsRequired();
        task.Property(t => t.Preamble).IsRequired();
        task.Property(t => t.Tests).IsRequired();
        task.Property(t => t.ReferenceVerdict).HasConversion<string>().HasMaxLength(20);
        task.Ignore(t => t.IncludedByDefault);
        task.HasIndex(t => new { t.BenchmarkId, t.TaskId }).IsUnique();
        task.HasIndex(t => new { t.BenchmarkId, t.Ordinal }).IsUnique();
    }
}
