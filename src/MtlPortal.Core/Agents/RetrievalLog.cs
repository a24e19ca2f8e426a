using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtlPortal.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace MtlPortal.Agents;

/// <summary>How the search log is doing, for the health check and the admin pages.</summary>
/// <param name="Queued">Searches waiting to be written.</param>
/// <param name="Written">Searches written since the portal started.</param>
/// <param name="Rejected">Searches the database refused as bad data; each is logged with its id.</param>
/// <param name="Dropped">Searches never queued because the queue stayed full (the database was down for long).</param>
/// <param name="WaitingForDatabase">True while writes fail and are being retried.</param>
/// <param name="LastFailure">The last write failure's message, while writes fail.</param>
public sealed record RetrievalLogStatus(int Queued, long Written, long Rejected, long Dropped, bool WaitingForDatabase, string? LastFailure)
{
    public long Lost => Rejected + Dropped;
}

/// <summary>
/// Writes the search log in batches in the background, so that a search costs no database round trip. The log
/// survives database outages: a failed batch is kept and retried with backoff; a batch the database refuses as bad
/// data is retried row by row, so one bad record costs only itself. Memory is bounded: when the queue stays full
/// (a long outage), new searches wait a moment for room and are then served unlogged, counted in
/// <see cref="Status"/>. Feedback waits only for its own search: if that is still queued, it is written at once.
/// </summary>
public sealed class RetrievalLog(IDbContextFactory<PortalDbContext> contexts, ILogger<RetrievalLog> logger) : BackgroundService
{
    private const int BatchSize = 500;

    /// <summary>About ten seconds of searches at the rate the benchmark saturates two cores.</summary>
    public const int Capacity = 50_000;

    /// <summary>How long a search waits for room in a full queue before it is served without a log line.</summary>
    public static readonly TimeSpan RoomWait = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(5);

    private readonly Channel<Entry> _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait });

    // Searches that feedback tried to write itself while the database was down; the writer takes them first.
    private readonly ConcurrentQueue<Entry> _returned = new();
    private readonly ConcurrentDictionary<Guid, Entry> _pending = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private long _written;
    private long _rejected;
    private long _dropped;
    private volatile string? _failure;

    public RetrievalLogStatus Status => new(_pending.Count, Interlocked.Read(ref _written), Interlocked.Read(ref _rejected), Interlocked.Read(ref _dropped), _failure is not null, _failure);

    /// <summary>Queues a search for the log; never fails the search over the log.</summary>
    public async ValueTask AddAsync(RetrievalRecord record, CancellationToken cancellationToken = default)
    {
        var entry = new Entry(record);
        _pending[record.Id] = entry;
        using var room = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        room.CancelAfter(RoomWait);
        try
        {
            await _queue.Writer.WriteAsync(entry, room.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Forget(entry, written: false);
            if (Interlocked.Increment(ref _dropped) is var dropped && (dropped == 1 || dropped % 1000 == 0))
            {
                logger.LogError("The search log is full, as its database has not taken writes for a while; {Dropped} searches so far were served without a log line, so feedback on them will be refused", dropped);
            }
        }
        catch
        {
            Forget(entry, written: false);
            throw;
        }
    }

    /// <summary>Whether a search is still waiting to be written.</summary>
    public bool IsPending(Guid retrievalId) => _pending.ContainsKey(retrievalId);

    /// <summary>
    /// Makes sure one search is in the database: when it is still queued it is written now, out of turn; when the
    /// writer holds it, this waits for that write. False when it could not be written (yet).
    /// </summary>
    public async Task<bool> EnsureWrittenAsync(Guid retrievalId, CancellationToken cancellationToken = default)
    {
        if (!_pending.TryGetValue(retrievalId, out var entry))
        {
            return true;
        }

        if (!entry.TryClaim())
        {
            return await entry.Written.Task.WaitAsync(cancellationToken);
        }

        if (await TryInsertAsync([entry], cancellationToken) is { } failure)
        {
            if (IsBadData(failure))
            {
                Reject(entry, failure);
                return false;
            }

            // The database is down: hand the search back to the writer, which retries until it is written.
            entry.Release();
            _returned.Enqueue(entry);
            return false;
        }

        Forget(entry, written: true);
        return true;
    }

    /// <summary>Writes everything queued so far (tests, and shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            while (await WriteNextBatchAsync(cancellationToken))
            {
            }
        }
        finally
        {
            _writing.Release();
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
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: a few seconds to write what is left; what still cannot be written is counted and said.
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await FlushAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
            }

            if (!_pending.IsEmpty)
            {
                Interlocked.Add(ref _dropped, _pending.Count);
                logger.LogError("The portal stops with {Count} searches not written to the search log: {Failure}", _pending.Count, _failure ?? "the database did not answer in time");
            }
        }
    }

    /// <summary>Takes the next batch and writes it, retrying while the database is down; false when there was nothing to write.</summary>
    private async Task<bool> WriteNextBatchAsync(CancellationToken cancellationToken)
    {
        var batch = new List<Entry>(BatchSize);
        while (batch.Count < BatchSize && (_returned.TryDequeue(out var entry) || _queue.Reader.TryRead(out entry)))
        {
            // Feedback may have written this search already, or be writing it.
            if (entry.TryClaim())
            {
                batch.Add(entry);
            }
        }

        if (batch.Count == 0)
        {
            return _queue.Reader.Count > 0 || !_returned.IsEmpty;
        }

        await WriteAsync(batch, cancellationToken);
        return true;
    }

    private async Task WriteAsync(IReadOnlyList<Entry> batch, CancellationToken cancellationToken)
    {
        var wait = FirstRetry;
        while (true)
        {
            if (await TryInsertAsync(batch, cancellationToken) is not { } failure)
            {
                if (_failure is not null)
                {
                    _failure = null;
                    logger.LogInformation("The search log is being written again");
                }

                foreach (var entry in batch)
                {
                    Forget(entry, written: true);
                }

                return;
            }

            if (IsBadData(failure))
            {
                if (batch.Count == 1)
                {
                    Reject(batch[0], failure);
                    return;
                }

                // Find the bad records: each of the others is written on its own.
                foreach (var entry in batch)
                {
                    await WriteAsync([entry], cancellationToken);
                }

                return;
            }

            if (_failure is null)
            {
                logger.LogError(failure, "The search log cannot be written ({Count} searches waiting); retrying until the database answers", _pending.Count);
            }

            _failure = failure.GetBaseException().Message;
            try
            {
                await Task.Delay(wait, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping: the batch goes back for the last attempt at shutdown.
                foreach (var entry in batch)
                {
                    entry.Release();
                    _returned.Enqueue(entry);
                }

                throw;
            }

            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, MaxRetry.Ticks));
        }
    }

    /// <summary>Inserts the records in one transaction; the exception when that failed.</summary>
    /// <remarks>
    /// PostgreSQL's binary COPY rather than EF's inserts: at hundreds of searches a second, building and tracking
    /// entities and one INSERT per row cost more CPU than the searches themselves (bench/README.md). The connection
    /// still comes from the portal's DbContext, so it is configured in one place.
    /// </remarks>
    private async Task<Exception?> TryInsertAsync(IReadOnlyList<Entry> entries, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await CopyAsync(connection, entries, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
        {
            return e;
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<Entry> entries, CancellationToken cancellationToken)
    {
        await using (var retrievals = await connection.BeginBinaryImportAsync(
            """COPY "Retrievals" ("Id", "ApiKeyId", "UserId", "At", "QueryHash", "K", "Filters", "EmbeddingModel") FROM STDIN (FORMAT BINARY)""", cancellationToken))
        {
            foreach (var record in entries.Select(e => e.Record))
            {
                await retrievals.StartRowAsync(cancellationToken);
                await retrievals.WriteAsync(record.Id, NpgsqlDbType.Uuid, cancellationToken);
                if (record.ApiKeyId is { } keyId)
                {
                    await retrievals.WriteAsync(keyId, NpgsqlDbType.Uuid, cancellationToken);
                }
                else
                {
                    await retrievals.WriteNullAsync(cancellationToken);
                }

                await retrievals.WriteAsync(record.UserId, NpgsqlDbType.Varchar, cancellationToken);
                await retrievals.WriteAsync(record.At.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                await retrievals.WriteAsync(record.QueryHash, NpgsqlDbType.Varchar, cancellationToken);
                await retrievals.WriteAsync(record.K, NpgsqlDbType.Integer, cancellationToken);
                await retrievals.WriteAsync(record.Filters, NpgsqlDbType.Jsonb, cancellationToken);
                await retrievals.WriteAsync(record.EmbeddingModel, NpgsqlDbType.Varchar, cancellationToken);
            }

            await retrievals.CompleteAsync(cancellationToken);
        }

        await using var hits = await connection.BeginBinaryImportAsync(
            """COPY "RetrievalHits" ("RetrievalId", "Rank", "MemoryId", "RevisionId", "Score") FROM STDIN (FORMAT BINARY)""", cancellationToken);
        foreach (var hit in entries.SelectMany(e => e.Record.Hits))
        {
            await hits.StartRowAsync(cancellationToken);
            await hits.WriteAsync(hit.RetrievalId, NpgsqlDbType.Uuid, cancellationToken);
            await hits.WriteAsync(hit.Rank, NpgsqlDbType.Integer, cancellationToken);
            await hits.WriteAsync(hit.MemoryId, NpgsqlDbType.Uuid, cancellationToken);
            await hits.WriteAsync(hit.RevisionId, NpgsqlDbType.Uuid, cancellationToken);
            await hits.WriteAsync(hit.Score, NpgsqlDbType.Real, cancellationToken);
        }

        await hits.CompleteAsync(cancellationToken);
    }

    /// <summary>Data exceptions (22) and integrity violations (23) are the record's fault; anything else is the database's.</summary>
    private static bool IsBadData(Exception failure) =>
        failure.GetBaseException() is PostgresException { SqlState: [('2'), ('2' or '3'), ..] };

    private void Reject(Entry entry, Exception failure)
    {
        Interlocked.Increment(ref _rejected);
        logger.LogError("The database refused search {RetrievalId} for the search log: {Reason}", entry.Record.Id, failure.GetBaseException().Message);
        Forget(entry, written: false);
    }

    private void Forget(Entry entry, bool written)
    {
        if (written)
        {
            Interlocked.Increment(ref _written);
        }

        _pending.TryRemove(entry.Record.Id, out _);
        entry.Written.TrySetResult(written);
    }

    private sealed class Entry(RetrievalRecord record)
    {
        private int _claimed;

        public RetrievalRecord Record { get; } = record;

        public TaskCompletionSource<bool> Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Only one writer (the background batch or a feedback request) writes a record.</summary>
        public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;

        public void Release() => Volatile.Write(ref _claimed, 0);
    }
}
