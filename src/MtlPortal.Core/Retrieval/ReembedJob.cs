using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtlPortal.Auditing;
using MtlPortal.Embeddings;
using MtlPortal.Memories;
using MtlPortal.Persistence;

namespace MtlPortal.Retrieval;

/// <summary>How far a re-embed has come.</summary>
public sealed record ReembedProgress(int Done, int Total, bool Running, string? Error)
{
    public static readonly ReembedProgress Idle = new(0, 0, false, null);
}

/// <summary>
/// Brings stored vectors up to the configured embedding model: every revision whose vector was made by another
/// model (or has none) is embedded again, in batches, then the pool index reloads. Runs by itself at start-up
/// when the model changed, from the admin page, or from the CLI (<c>reembed</c>); one run at a time.
/// </summary>
/// <param name="pool">The host's pool index, reloaded after a run; null in hosts without one (the CLI).</param>
public sealed class ReembedJob(
    IDbContextFactory<PortalDbContext> contexts,
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    EmbeddingModelInfo model,
    AuditTrail audit,
    ILogger<ReembedJob> logger,
    PoolIndexService? pool = null)
{
    public const int BatchSize = 64;

    private readonly SemaphoreSlim _single = new(1, 1);

    public ReembedProgress Progress { get; private set; } = ReembedProgress.Idle;

    /// <summary>Raised after each batch, for progress bars.</summary>
    public event Action<ReembedProgress>? ProgressChanged;

    /// <summary>How many revisions have no vector from the configured model.</summary>
    public async Task<int> CountStaleAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await Stale(db).CountAsync(cancellationToken);
    }

    /// <summary>Re-embeds every stale revision; returns how many it updated. A second call while one runs waits for it.</summary>
    public async Task<int> RunAsync(string actor, IProgress<ReembedProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        await _single.WaitAsync(cancellationToken);
        try
        {
            int total;
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                total = await Stale(db).CountAsync(cancellationToken);
            }

            var done = 0;
            Report(new ReembedProgress(0, total, total > 0, null), progress);
            if (total == 0)
            {
                return 0;
            }

            logger.LogInformation("Re-embedding {Total} memory revisions with {Model}", total, model.ModelId);
            while (true)
            {
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                var batch = await Stale(db).OrderBy(r => r.Id).Take(BatchSize).ToListAsync(cancellationToken);
                if (batch.Count == 0)
                {
                    break;
                }

                var vectors = await embedder.GenerateAsync([.. batch.Select(r => r.Content.TextForEmbedding())], cancellationToken: cancellationToken);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Embedding = vectors[i].Vector.ToArray();
                    batch[i].EmbeddingModel = model.ModelId;
                }

                await db.SaveChangesAsync(cancellationToken);
                done += batch.Count;
                Report(new ReembedProgress(done, total, true, null), progress);
                logger.LogInformation("Re-embedded {Done}/{Total}", done, total);
            }

            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                audit.Record(db, actor, "pool.reembedded", "pool", model.ModelId, $"{done} revisions");
                await db.SaveChangesAsync(cancellationToken);
            }

            if (pool is not null)
            {
                await pool.ReloadAsync(cancellationToken);
            }

            Report(new ReembedProgress(done, total, false, null), progress);
            return done;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Re-embedding failed");
            Report(Progress with { Running = false, Error = e.Message }, progress);
            throw;
        }
        finally
        {
            _single.Release();
        }
    }

    private IQueryable<MemoryRevision> Stale(PortalDbContext db) =>
        db.MemoryRevisions.Where(r => r.EmbeddingModel != model.ModelId || r.Embedding == null);

    private void Report(ReembedProgress value, IProgress<ReembedProgress>? progress)
    {
        Progress = value;
        progress?.Report(value);
        ProgressChanged?.Invoke(value);
    }
}

/// <summary>At start-up, re-embeds in the background when the configured model changed since vectors were stored.</summary>
internal sealed class ReembedOnStartup(ReembedJob job, ILogger<ReembedOnStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (await job.CountStaleAsync(stoppingToken) > 0)
            {
                await job.RunAsync("[startup]", cancellationToken: stoppingToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException and not ObjectDisposedException)
        {
            // Logged by the job; the portal keeps serving what is up to date, and an admin can retry.
            logger.LogWarning("Start-up re-embed did not finish: {Message}", e.Message);
        }
    }
}
