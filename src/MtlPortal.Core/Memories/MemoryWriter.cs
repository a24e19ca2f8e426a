using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Auditing;
using MtlPortal.Persistence;
using MtlPortal.Validation;

namespace MtlPortal.Memories;

/// <summary>
/// What every change to memories shares (authoring, reviews, batch import): one database context per change, the
/// memory's version bumped on each change so a second person acting on a stale copy gets a conflict, audit entries
/// written with the change in one transaction, and other portal instances told (PostgreSQL NOTIFY) when the
/// approved pool changed.
/// </summary>
public sealed class MemoryWriter(IDbContextFactory<PortalDbContext> contexts, AuditTrail audit, TimeProvider clock, IEnumerable<IPoolObserver> observers)
{
    /// <summary>The PostgreSQL NOTIFY channel that carries the id of a memory whose approved revision changed.</summary>
    public const string PoolChannel = "mtl_pool_changed";

    /// <summary>Starts one change; dispose it when done, saved or not.</summary>
    public async Task<MemoryChange> BeginAsync(CancellationToken cancellationToken) =>
        new(await contexts.CreateDbContextAsync(cancellationToken), audit, clock, [.. observers]);
}

/// <summary>One change to memories in progress, on a context of its own; see <see cref="MemoryWriter"/>.</summary>
public sealed class MemoryChange : IAsyncDisposable
{
    private const string StaleMessage = "Someone else changed this memory since you opened it. Reload to see its current state; nothing of yours was saved.";

    private readonly AuditTrail _audit;
    private readonly TimeProvider _clock;
    private readonly IReadOnlyList<IPoolObserver> _observers;
    private readonly HashSet<Guid> _poolChanges = [];

    internal MemoryChange(PortalDbContext db, AuditTrail audit, TimeProvider clock, IReadOnlyList<IPoolObserver> observers)
    {
        Db = db;
        _audit = audit;
        _clock = clock;
        _observers = observers;
    }

    public PortalDbContext Db { get; }

    public DateTimeOffset Now => _clock.GetUtcNow();

    public ValueTask DisposeAsync() => Db.DisposeAsync();

    /// <summary>The memory and its newest revision (with its reviews), or why the actor cannot act on it.</summary>
    public async Task<(Memory? Memory, MemoryRevision? Latest, WriteResult<Memory>? Failure)> LoadAsync(Guid memoryId, Actor actor, int? expectedVersion, CancellationToken cancellationToken)
    {
        var memory = await Db.Memories.FirstOrDefaultAsync(m => m.Id == memoryId, cancellationToken);
        if (memory is null || (memory.ApprovedRevisionId is null && !MemoryLifecycle.CanSeeUnapproved(actor, memory.TeamId, memory.AuthorId)))
        {
            return (null, null, WriteResult<Memory>.NotFound("That memory does not exist, or you cannot see it."));
        }

        if (expectedVersion is { } expected && expected != memory.Version)
        {
            return (null, null, WriteResult<Memory>.Conflict(StaleMessage));
        }

        // Loading the revision while the memory is tracked also puts it in memory.Revisions (EF's fix-up).
        var latest = await Db.MemoryRevisions.Include(r => r.Reviews).FirstAsync(r => r.Id == memory.LatestRevisionId, cancellationToken);
        return (memory, latest, null);
    }

    public void Record(string actorId, string action, Guid memoryId, string? details) =>
        _audit.Record(Db, actorId, action, "memory", memoryId.ToString(), details);

    /// <summary>An audit entry about something other than one memory (a batch as a whole).</summary>
    public void Record(string actorId, string action, string entityType, string entityId, string? details) =>
        _audit.Record(Db, actorId, action, entityType, entityId, details);

    /// <summary>A new memory with its first revision, as a draft, and its "memory.created" audit entry.</summary>
    public (Memory Memory, MemoryRevision Revision) AddMemory(Actor actor, MemoryContent content, Provenance provenance, Guid team, MemoryAnalysis analysis, DateTimeOffset now, string? reason)
    {
        var memory = new Memory
        {
            Id = Guid.CreateVersion7(), Kind = content.Kind, TeamId = team, AuthorId = actor.UserId,
            CreatedAt = now, UpdatedAt = now, Status = MemoryStatus.Draft,
        };
        var revision = NewRevision(memory, 1, actor, content, provenance, analysis, now);
        memory.Revisions.Add(revision);
        memory.LatestRevisionId = revision.Id;
        Db.Memories.Add(memory);
        Record(actor.UserId, "memory.created", memory.Id, Details(1, null, RevisionState.Draft, reason));
        return (memory, revision);
    }

    /// <summary>Makes <paramref name="approved"/> the revision the pool serves; archives the memory it supersedes, if any.</summary>
    public async Task ApproveAsync(Actor actor, Memory memory, MemoryRevision approved, CancellationToken cancellationToken)
    {
        if (memory.ApprovedRevisionId is { } previousId && previousId != approved.Id)
        {
            var previous = memory.Revisions.FirstOrDefault(r => r.Id == previousId)
                ?? await Db.MemoryRevisions.FirstAsync(r => r.Id == previousId, cancellationToken);
            previous.State = RevisionState.Superseded;
        }

        memory.ApprovedRevisionId = approved.Id;
        _poolChanges.Add(memory.Id);

        if (memory.SupersedesId is { } oldId && await Db.Memories.FirstOrDefaultAsync(m => m.Id == oldId, cancellationToken) is { ArchivedAt: null } old)
        {
            old.SupersededById = memory.Id;
            Archive(actor.UserId, old, $"superseded by memory {memory.Id}");
        }
    }

    public void Archive(string actorId, Memory memory, string? reason)
    {
        memory.ArchivedAt = Now;
        memory.Status = MemoryStatus.Archived;
        Touch(memory);
        _poolChanges.Add(memory.Id);
        Record(actorId, "memory.archived", memory.Id, JsonSerializer.Serialize(new { from = "Approved", to = "Archived", reason }));
    }

    public void Transition(Actor actor, Memory memory, MemoryRevision revision, RevisionState to, string? reason, string? action = null)
    {
        var from = revision.State;
        revision.State = to;
        if (revision.Id == memory.LatestRevisionId)
        {
            memory.Status = to == RevisionState.Rejected && memory.ApprovedRevisionId is not null
                ? MemoryStatus.Approved
                : MemoryLifecycle.StatusOf(to, memory.ArchivedAt is not null);
        }

        Touch(memory);
        action ??= to switch
        {
            RevisionState.InReview => "memory.submitted",
            RevisionState.Approved => "memory.approved",
            RevisionState.Rejected => "memory.rejected",
            RevisionState.ChangesRequested => "memory.changes-requested",
            RevisionState.Draft => "memory.withdrawn",
            _ => "memory.transition",
        };
        Record(actor.UserId, action, memory.Id, Details(revision.Number, from, to, reason));
    }

    /// <summary>The pool serves something else for this memory now: the index and other instances hear of it on save.</summary>
    public void PoolChanged(Guid memoryId) => _poolChanges.Add(memoryId);

    public void Touch(Memory memory)
    {
        memory.UpdatedAt = Now;
        memory.Version++;
    }

    /// <summary>Saves everything in one transaction; a change someone else made first is a conflict, and nothing is written.</summary>
    /// <param name="thenAsync">More changes that need the first ones saved; saved in the same transaction.</param>
    public async Task<WriteResult<T>> SaveAsync<T>(T value, CancellationToken cancellationToken, Func<Task>? thenAsync = null)
    {
        await using var transaction = await Db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await Db.SaveChangesAsync(cancellationToken);
            if (thenAsync is not null)
            {
                await thenAsync();
                await Db.SaveChangesAsync(cancellationToken);
            }
        }
        catch (DbUpdateConcurrencyException)
        {
            return WriteResult<T>.Conflict(StaleMessage);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Two authors revising at once both took the next revision number.
            return WriteResult<T>.Conflict(StaleMessage);
        }

        if (_poolChanges.Count > 0)
        {
            // NOTIFY is transactional: other instances hear of the change only if it commits. One statement for
            // all, as an import may change a thousand memories.
            var ids = _poolChanges.Select(id => id.ToString()).ToArray();
            await Db.Database.ExecuteSqlAsync($"SELECT pg_notify({MemoryWriter.PoolChannel}, id) FROM unnest({ids}) AS id", cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (_poolChanges.Count > 0)
        {
            Guid[] changed = [.. _poolChanges];
            _poolChanges.Clear();
            foreach (var observer in _observers)
            {
                await observer.PoolChangedAsync(changed, cancellationToken);
            }
        }

        return WriteResult<T>.Ok(value);
    }

    public static MemoryRevision NewRevision(Memory memory, int number, Actor actor, MemoryContent content, Provenance provenance, MemoryAnalysis analysis, DateTimeOffset now)
    {
        var revision = new MemoryRevision { Id = Guid.CreateVersion7(), MemoryId = memory.Id, Number = number, State = RevisionState.Draft, AuthorId = actor.UserId, CreatedAt = now };
        Apply(revision, content, provenance, analysis);
        return revision;
    }

    public static void Apply(MemoryRevision revision, MemoryContent content, Provenance provenance, MemoryAnalysis analysis)
    {
        revision.Title = content.DisplayTitle.Length <= 200 ? content.DisplayTitle : content.DisplayTitle[..200];
        revision.ContentJson = content.ToJson();
        revision.SourceDomain = provenance.SourceDomain;
        revision.SourceTaskRef = provenance.SourceTaskRef;
        revision.SourceModel = provenance.SourceModel;
        revision.Outcome = provenance.Outcome;
        revision.Tags = [.. provenance.Tags];
        revision.AbstractionScore = analysis.Abstraction.Score;
        revision.AbstractionFindings = analysis.Abstraction.Findings.Count;
        revision.Embedding = analysis.Embedding;
        revision.EmbeddingModel = analysis.EmbeddingModel;
    }

    /// <summary>The details of a state change in the audit trail.</summary>
    public static string Details(int revision, RevisionState? from, RevisionState to, string? reason) =>
        JsonSerializer.Serialize(new { revision, from = from?.ToString(), to = to.ToString(), reason });
}
