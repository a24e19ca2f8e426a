using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtlPortal.Persistence;

namespace MtlPortal.Agents;

/// <summary>
/// Writes the search log in batches in the background, so that a search costs no database round trip. Feedback
/// that names a search still waiting here flushes first; shutdown writes what is left. The queue is bounded: when
/// searches outrun the database, new searches wait for room rather than memory growing or log lines being lost.
/// </summary>
public sealed class RetrievalLog(IServiceProvider services, ILogger<RetrievalLog> logger) : BackgroundService
{
    private const int BatchSize = 500;

    /// <summary>About ten seconds of searches at the rate the benchmark saturates two cores.</summary>
    public const int Capacity = 50_000;

    private readonly Channel<RetrievalRecord> _queue = Channel.CreateBounded<RetrievalRecord>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait });
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, byte> _pending = new();

    // Resolved on first use: hosted services are built before the database starts.
    private IDbContextFactory<PortalDbContext> Contexts => services.GetRequiredService<IDbContextFactory<PortalDbContext>>();

    public async ValueTask AddAsync(RetrievalRecord record, CancellationToken cancellationToken = default)
    {
        _pending[record.Id] = 0;
        try
        {
            await _queue.Writer.WriteAsync(record, cancellationToken);
        }
        catch
        {
            _pending.TryRemove(record.Id, out _);
            throw;
        }
    }

    /// <summary>Whether a search is still waiting to be written.</summary>
    public bool IsPending(Guid retrievalId) => _pending.ContainsKey(retrievalId);

    /// <summary>Writes everything queued so far.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (_queue.Reader.Count > 0 || !_pending.IsEmpty)
        {
            if (!await WriteBatchAsync(cancellationToken))
            {
                // Another writer holds the batch; let it finish.
                await Task.Delay(5, cancellationToken);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                // A short pause gathers the searches of a busy moment into one insert.
                await Task.Delay(100, stoppingToken);
                while (_queue.Reader.Count > 0)
                {
                    await WriteBatchAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await FlushAsync(CancellationToken.None);
        }
    }

    private async Task<bool> WriteBatchAsync(CancellationToken cancellationToken)
    {
        if (!await _writing.WaitAsync(0, cancellationToken))
        {
            return false;
        }

        try
        {
            var batch = new List<RetrievalRecord>(BatchSize);
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            if (batch.Count == 0)
            {
                return true;
            }

            try
            {
                await using var db = await Contexts.CreateDbContextAsync(cancellationToken);
                db.Retrievals.AddRange(batch);
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e)
            {
                // Losing log lines must never break searches; say so loudly instead.
                logger.LogError(e, "Could not write {Count} search log entries", batch.Count);
            }
            finally
            {
                foreach (var record in batch)
                {
                    _pending.TryRemove(record.Id, out _);
                }
            }

            return true;
        }
        finally
        {
            _writing.Release();
        }
    }
}
