using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Auditing;
using MtlPortal.Persistence;
using MtlPortal.Sandbox;

namespace MtlPortal.Benchmarks;

/// <summary>How far a verification has got: references run of the total, and how many passed so far.</summary>
public readonly record struct VerificationProgress(int Done, int Total, int Passed);

/// <summary>What a verification found.</summary>
/// <param name="Failed">The tasks whose reference failed, by task id, with the verdict: they are left out of runs by default.</param>
/// <param name="WithoutReference">Tasks that have no reference solution (they stay in runs, unverified).</param>
public sealed record VerificationSummary(string Benchmark, int Verified, int Passed, IReadOnlyList<(string TaskId, SandboxVerdict Verdict)> Failed, int WithoutReference);

/// <summary>
/// Runs every task's reference solution against its tests in the sandbox, in parallel up to the sandbox's bound, and
/// records per task whether it passed, with the verdict and the capped output. Each result is saved as it comes, so
/// a cancelled verification keeps what it finished; running it again re-checks every task.
/// </summary>
public sealed class ReferenceVerifier(IDbContextFactory<PortalDbContext> contexts, ICodeSandbox sandbox, AuditTrail audit, TimeProvider clock)
{
    public const string VerifiedAction = "benchmark.verified";

    /// <summary>Verifies the benchmark named <paramref name="benchmarkName"/>; null when there is none.</summary>
    /// <param name="actor">The user's id, or <see cref="AuditTrail.CliActor"/>.</param>
    /// <exception cref="SandboxUnavailableException">bubblewrap is missing; the message says how to install it.</exception>
    public async Task<VerificationSummary?> VerifyAsync(string benchmarkName, string actor, IProgress<VerificationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Benchmark? benchmark;
        List<BenchmarkTask> tasks;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            benchmark = await BenchmarkImporter.ExistingAsync(db, benchmarkName, cancellationToken);
            if (benchmark is null)
            {
                return null;
            }

            tasks = await db.BenchmarkTasks.AsNoTracking().Where(t => t.BenchmarkId == benchmark.Id).OrderBy(t => t.Ordinal).ToListAsync(cancellationToken);
        }

        if (sandbox is BubblewrapSandbox bubblewrap)
        {
            bubblewrap.EnsureAvailable();
        }

        var withReference = tasks.Where(t => t.ReferenceSolution is not null).ToList();
        var failed = new ConcurrentBag<(int Ordinal, string TaskId, SandboxVerdict Verdict)>();
        var done = 0;
        var passed = 0;
        progress?.Report(new VerificationProgress(0, withReference.Count, 0));

        // The sandbox bounds how many run at once; a few more in flight keep its slots busy while results are saved.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount * 2), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(withReference, parallel, async (task, token) =>
        {
            var result = await sandbox.RunAsync(ProgramAssembly.ForReference(task)!, token);
            await using (var db = await contexts.CreateDbContextAsync(token))
            {
                var at = clock.GetUtcNow();
                await db.BenchmarkTasks.Where(t => t.Id == task.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.ReferencePassed, result.Passed)
                    .SetProperty(t => t.ReferenceVerdict, result.Verdict)
                    .SetProperty(t => t.ReferenceOutput, result.Output)
                    .SetProperty(t => t.ReferenceCheckedAt, at), token);
            }

            if (result.Passed)
            {
                Interlocked.Increment(ref passed);
            }
            else
            {
                failed.Add((task.Ordinal, task.TaskId, result.Verdict));
            }

            var finished = Interlocked.Increment(ref done);
            progress?.Report(new VerificationProgress(finished, withReference.Count, Volatile.Read(ref passed)));
        });

        var summary = new VerificationSummary(benchmark.Name, withReference.Count, passed,
            [.. failed.OrderBy(f => f.Ordinal).Select(f => (f.TaskId, f.Verdict))], tasks.Count - withReference.Count);
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var at = clock.GetUtcNow();
            await db.Benchmarks.Where(b => b.Id == benchmark.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.VerifiedAt, at), cancellationToken);
            audit.Record(db, actor, VerifiedAction, nameof(Benchmark), benchmark.Id.ToString(), JsonSerializer.Serialize(new
            {
                name = benchmark.Name,
                verified = summary.Verified,
                passed = summary.Passed,
                failed = summary.Failed.Select(f => f.TaskId),
            }));
            await db.SaveChangesAsync(cancellationToken);
        }

        return summary;
    }
}
