using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtlPortal.Embeddings;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using Npgsql;

namespace MtlPortal.Retrieval;

/// <summary>
/// Keeps <see cref="ApprovedPoolIndex"/> equal to the approved pool in the database: a full load at start-up,
/// then one row per PostgreSQL notification on <see cref="MemoryWriter.PoolChannel"/>. Every instance listens,
/// the one that made the change included, so a second portal on the same database serves a new approval as
/// soon as it commits. After a lost connection it reloads everything, since notifications may have been missed.
/// </summary>
public sealed class PoolIndexService(
    IDbContextFactory<PortalDbContext> contexts,
    PortalDatabase database,
    EmbeddingModelInfo model,
    ILogger<PoolIndexService> logger) : BackgroundService, IPoolObserver
{
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, ServedMemory> _served = new();

    public ApprovedPoolIndex Index { get; } = new(model.Dimensions);

    /// <summary>The served revision of a pooled memory, or null when it is not (or no longer) in the pool.</summary>
    public ServedMemory? Served(Guid memoryId) => _served.GetValueOrDefault(memoryId);

    /// <summary>Every memory the pool serves now, at its approved revision (a run freezes this set when it starts).</summary>
    public IReadOnlyCollection<ServedMemory> AllServed() => [.. _served.Values];

    /// <summary>The id of the embedding model whose vectors the index holds; queries must be embedded with it too.</summary>
    public string EmbeddingModel => model.ModelId;

    /// <summary>Completes once the first full load is done (searches before it would see an empty pool).</summary>
    public Task Loaded => _loaded.Task;

    /// <summary>Approved memories left out because their vectors come from another embedding model (a re-embed fixes that).</summary>
    public int StaleCount { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var listener = new NpgsqlConnection(database.ConnectionString);
                await listener.OpenAsync(stoppingToken);
                var pending = new System.Collections.Concurrent.ConcurrentQueue<Guid>();
                listener.Notification += (_, e) =>
                {
                    if (Guid.TryParse(e.Payload, out var id))
                    {
                        pending.Enqueue(id);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {MemoryWriter.PoolChannel}", listener))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Listening first, loading second: a change committed in between is both loaded and notified.
                await ReloadAsync(stoppingToken);
                _loaded.TrySetResult();
                delay = TimeSpan.FromSeconds(1);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await listener.WaitAsync(stoppingToken);
                    while (pending.TryDequeue(out var id))
                    {
                        await RefreshAsync(id, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                // The host is gone (it failed to start, or stopped): nothing left to keep in sync.
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning(e, "Lost the pool's change feed; reloading the index in {Delay}", delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    /// <summary>Loads the whole approved pool.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await ServedRows(db).ToListAsync(cancellationToken);
        var usable = rows.Where(r => r.EmbeddingModel == model.ModelId && r.Embedding is { Length: > 0 } v && v.Length == model.Dimensions).ToList();
        foreach (var row in usable)
        {
            _served[row.MemoryId] = ToServed(row);
        }

        Index.ReplaceAll(usable.Select(ToIndexed));
        var live = usable.Select(r => r.MemoryId).ToHashSet();
        foreach (var gone in _served.Keys.Where(id => !live.Contains(id)))
        {
            _served.TryRemove(gone, out _);
        }

        StaleCount = rows.Count - usable.Count;
        if (StaleCount > 0)
        {
            logger.LogWarning("{Stale} approved memories were embedded with another model than {Model} and are not searchable until re-embedded", StaleCount, model.ModelId);
        }

        logger.LogInformation("Pool index loaded: {Count} approved memories", Index.Count);
    }

    /// <summary>Brings one memory's row up to date: added, replaced, or removed when it is no longer served.</summary>
    public async Task RefreshAsync(Guid memoryId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await ServedRows(db, memoryId).FirstOrDefaultAsync(cancellationToken);
        // Content before vector on the way in, vector before content on the way out: a search that finds a
        // memory in the index always finds what to serve, or skips it.
        if (row is not null && row.EmbeddingModel == model.ModelId && row.Embedding?.Length == model.Dimensions)
        {
            _served[memoryId] = ToServed(row);
            Index.Upsert(ToIndexed(row));
        }
        else
        {
            Index.Remove(memoryId);
            _served.TryRemove(memoryId, out _);
        }
    }

    async Task IPoolObserver.PoolChangedAsync(IReadOnlyCollection<Guid> memoryIds, CancellationToken cancellationToken)
    {
        // An import can approve a thousand memories at once: one full load beats a thousand single-row queries.
        if (memoryIds.Count > 100)
        {
            await ReloadAsync(cancellationToken);
            return;
        }

        foreach (var id in memoryIds)
        {
            await RefreshAsync(id, cancellationToken);
        }
    }

    private static IQueryable<ServedRow> ServedRows(PortalDbContext db, Guid? memoryId = null) =>
        from m in db.Memories.AsNoTracking().Served()
        where memoryId == null || m.Id == memoryId
        join r in db.MemoryRevisions on m.ApprovedRevisionId equals r.Id
        select new ServedRow(m.Id, m.Kind, r.SourceDomain, m.TeamId, r.SourceModel, r.AbstractionScore, r.Embedding, r.EmbeddingModel,
            r.Id, r.Number, r.ContentJson, r.SourceTaskRef, r.Outcome, r.Tags, m.Team!.Name, r.DecidedAt ?? m.UpdatedAt);

    private static IndexedMemory ToIndexed(ServedRow row) =>
        new(row.MemoryId, row.Kind, row.SourceDomain, row.TeamId, row.SourceModel, row.AbstractionScore, row.Embedding!);

    private static ServedMemory ToServed(ServedRow row) => new(
        row.MemoryId, row.RevisionId, row.Revision, MemoryContent.FromJson(row.ContentJson),
        new Provenance(row.SourceDomain, row.SourceTaskRef, row.SourceModel, row.Outcome, row.Tags), row.TeamId, row.Team, row.ApprovedAt, row.AbstractionScore);

    private sealed record ServedRow(
        Guid MemoryId, MemoryKind Kind, string SourceDomain, Guid TeamId, string SourceModel, double AbstractionScore, float[]? Embedding, string? EmbeddingModel,
        Guid RevisionId, int Revision, string ContentJson, string? SourceTaskRef, SourceOutcome Outcome, List<string> Tags, string Team, DateTimeOffset ApprovedAt);
}
