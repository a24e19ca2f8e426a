using Microsoft.EntityFrameworkCore;
using MtlPortal.Persistence;
using MtlPortal.Sandbox;

namespace MtlPortal.Benchmarks;

/// <summary>A benchmark as its list shows it: its tasks and what verifying their references found.</summary>
/// <param name="Verified">Tasks whose reference was run in the sandbox.</param>
/// <param name="Failed">Tasks whose reference failed: left out of runs by default.</param>
/// <param name="WithoutReference">Tasks that have no reference to verify.</param>
public sealed record BenchmarkSummary(
    Guid Id, string Name, BenchmarkFormat Format, IReadOnlyList<SandboxLanguage> Languages, int Tasks,
    int Verified, int Passed, int Failed, int WithoutReference, DateTimeOffset ImportedAt, DateTimeOffset? VerifiedAt)
{
    /// <summary>Tasks a run takes by default (those whose reference did not fail).</summary>
    public int Runnable => Tasks - Failed;
}

/// <summary>One page of a benchmark's tasks, in file order, and how many there are in all.</summary>
public sealed record BenchmarkTaskPage(IReadOnlyList<BenchmarkTask> Tasks, int Total);

/// <summary>Reads benchmarks and their tasks for the pages; writing is <see cref="BenchmarkImporter"/>'s and <see cref="ReferenceVerifier"/>'s.</summary>
public sealed class BenchmarkCatalog(IDbContextFactory<PortalDbContext> contexts)
{
    public const int MaxPageSize = 200;

    public async Task<IReadOnlyList<BenchmarkSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var benchmarks = await db.Benchmarks.AsNoTracking().OrderBy(b => b.Name).ToListAsync(cancellationToken);
        var counts = await db.BenchmarkTasks.AsNoTracking()
            .GroupBy(t => new { t.BenchmarkId, t.Language })
            .Select(g => new
            {
                g.Key.BenchmarkId,
                g.Key.Language,
                Tasks = g.Count(),
                Verified = g.Count(t => t.ReferencePassed != null),
                Passed = g.Count(t => t.ReferencePassed == true),
                Failed = g.Count(t => t.ReferencePassed == false),
                WithoutReference = g.Count(t => t.ReferenceSolution == null),
            })
            .ToListAsync(cancellationToken);
        return [.. benchmarks.Select(b =>
        {
            var own = counts.Where(c => c.BenchmarkId == b.Id).ToList();
            return new BenchmarkSummary(b.Id, b.Name, b.Format, [.. own.Select(c => c.Language).Order()], own.Sum(c => c.Tasks),
                own.Sum(c => c.Verified), own.Sum(c => c.Passed), own.Sum(c => c.Failed), own.Sum(c => c.WithoutReference), b.ImportedAt, b.VerifiedAt);
        })];
    }

    public async Task<BenchmarkSummary?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        (await ListAsync(cancellationToken)).FirstOrDefault(b => b.Id == id);

    /// <summary>Tasks <paramref name="skip"/> onwards in file order; <paramref name="failedOnly"/> keeps those whose reference failed.</summary>
    public async Task<BenchmarkTaskPage> TasksAsync(Guid benchmarkId, int skip, int take, bool failedOnly = false, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tasks = db.BenchmarkTasks.AsNoTracking().Where(t => t.BenchmarkId == benchmarkId);
        if (failedOnly)
        {
            tasks = tasks.Where(t => t.ReferencePassed == false);
        }

        var total = await tasks.CountAsync(cancellationToken);
        var page = await tasks.OrderBy(t => t.Ordinal).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, MaxPageSize)).ToListAsync(cancellationToken);
        return new BenchmarkTaskPage(page, total);
    }
}
