using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Persistence;

namespace MtlPortal.Memories;

/// <summary>A memory as lists show it.</summary>
public sealed record MemorySummary(
    Guid Id,
    MemoryKind Kind,
    string Title,
    MemoryStatus Status,
    int Revision,
    RevisionState RevisionState,
    Guid TeamId,
    string Team,
    string Author,
    string SourceDomain,
    string SourceModel,
    IReadOnlyList<string> Tags,
    double AbstractionScore,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset UpdatedAt,
    int Version);

/// <summary>One page of a list of memories, and how many there are in all.</summary>
public sealed record MemorySummaryPage(IReadOnlyList<MemorySummary> Items, int Total);

/// <summary>One revision as the detail page shows it.</summary>
public sealed record RevisionView(
    Guid Id,
    int Number,
    RevisionState State,
    string Author,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset? DecidedAt,
    MemoryContent Content,
    Provenance Provenance,
    double AbstractionScore,
    int AbstractionFindings,
    string AuthorId);

/// <summary>One entry of a memory's thread: a review decision, a comment, or a recorded transition.</summary>
public sealed record ThreadEntry(DateTimeOffset At, string Who, int? Revision, string What, string? Text);

/// <summary>Everything the detail page shows of one memory.</summary>
public sealed record MemoryDetails(
    Guid Id,
    MemoryKind Kind,
    MemoryStatus Status,
    Guid TeamId,
    string Team,
    string AuthorId,
    string Author,
    Guid? ApprovedRevisionId,
    Guid LatestRevisionId,
    DateTimeOffset? ArchivedAt,
    Guid? DuplicateOfId,
    Guid? SupersedesId,
    Guid? SupersededById,
    int Version,
    IReadOnlyList<RevisionView> Revisions,
    IReadOnlyList<ThreadEntry> Thread,
    bool ShowsHistory)
{
    public RevisionView Latest => Revisions.Single(r => r.Id == LatestRevisionId);

    public RevisionView? Approved => Revisions.SingleOrDefault(r => r.Id == ApprovedRevisionId);

    /// <summary>
    /// What a reviewer compares the newest revision with: the revision the pool serves now, or, when none is
    /// approved, the one before it. Null for a first revision, and for readers who see only the approved one.
    /// </summary>
    public RevisionView? ReviewBaseline => Approved is { } approved && approved.Id != LatestRevisionId
        ? approved
        : Revisions.Where(r => r.Number < Latest.Number).MaxBy(r => r.Number);
}

/// <summary>The read side of memories: one's own memories, and a memory's details, each as the actor may see it.</summary>
public sealed class MemoryQueries(IDbContextFactory<PortalDbContext> contexts)
{
    /// <summary>The actor's own memories, most recently changed first.</summary>
    public async Task<IReadOnlyList<MemorySummary>> MineAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await Summaries(db, db.Memories.AsNoTracking().Where(m => m.AuthorId == actor.UserId), null).ToListAsync(cancellationToken);
        return [.. rows.OrderByDescending(r => r.UpdatedAt)];
    }

    /// <summary>
    /// One page of the actor's own memories, sorted by a <see cref="MemorySummary"/> property (by default the most
    /// recently changed first), with the id as the tie-breaker so pages never repeat or skip a memory.
    /// </summary>
    public async Task<MemorySummaryPage> MinePageAsync(Actor actor, string? sortBy, bool descending, int skip, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var mine = db.Memories.AsNoTracking().Where(m => m.AuthorId == actor.UserId);
        var rows = from m in mine join r in db.MemoryRevisions on m.LatestRevisionId equals r.Id select new { m, r };
        var total = await rows.CountAsync(cancellationToken);
        var sorted = sortBy switch
        {
            nameof(MemorySummary.Title) => descending ? rows.OrderByDescending(x => x.r.Title) : rows.OrderBy(x => x.r.Title),
            nameof(MemorySummary.Kind) => descending ? rows.OrderByDescending(x => x.m.Kind) : rows.OrderBy(x => x.m.Kind),
            nameof(MemorySummary.Status) => descending ? rows.OrderByDescending(x => x.m.Status) : rows.OrderBy(x => x.m.Status),
            nameof(MemorySummary.Team) => descending ? rows.OrderByDescending(x => x.m.Team!.Name) : rows.OrderBy(x => x.m.Team!.Name),
            nameof(MemorySummary.Revision) => descending ? rows.OrderByDescending(x => x.r.Number) : rows.OrderBy(x => x.r.Number),
            nameof(MemorySummary.UpdatedAt) => descending ? rows.OrderByDescending(x => x.m.UpdatedAt) : rows.OrderBy(x => x.m.UpdatedAt),
            _ => rows.OrderByDescending(x => x.m.UpdatedAt),
        };
        var ids = await sorted.ThenBy(x => x.m.Id).Select(x => x.m.Id)
            .Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 200)).ToListAsync(cancellationToken);

        // The page's ids fix its order; the summaries are then read the one way every list reads them.
        var summaries = await Summaries(db, mine.Where(m => ids.Contains(m.Id)), null).ToDictionaryAsync(s => s.Id, cancellationToken);
        return new MemorySummaryPage([.. ids.Where(summaries.ContainsKey).Select(id => summaries[id])], total);
    }

    /// <summary>
    /// A memory with its revisions and thread. Someone outside its team sees only an approved, unarchived memory's
    /// approved revision; a memory that was never approved does not exist for them.
    /// </summary>
    public async Task<MemoryDetails?> DetailsAsync(Actor actor, Guid memoryId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var memory = await db.Memories.AsNoTracking()
            .Include(m => m.Team).Include(m => m.Author)
            .Include(m => m.Revisions).ThenInclude(r => r.Author)
            .Include(m => m.Revisions).ThenInclude(r => r.Reviews).ThenInclude(v => v.Reviewer)
            .AsSplitQuery()
            .FirstOrDefaultAsync(m => m.Id == memoryId, cancellationToken);
        if (memory is null)
        {
            return null;
        }

        var insider = MemoryLifecycle.CanSeeUnapproved(actor, memory.TeamId, memory.AuthorId);
        if (!insider && (memory.ApprovedRevisionId is null || memory.ArchivedAt is not null))
        {
            return null;
        }

        var revisions = memory.Revisions
            .Where(r => insider || r.Id == memory.ApprovedRevisionId)
            .OrderBy(r => r.Number)
            .Select(r => new RevisionView(r.Id, r.Number, r.State, r.Author?.DisplayName ?? "", r.CreatedAt, r.SubmittedAt, r.DecidedAt,
                r.Content, r.Provenance, r.AbstractionScore, r.AbstractionFindings, r.AuthorId))
            .ToList();

        var thread = new List<ThreadEntry>();
        if (insider)
        {
            var numbers = memory.Revisions.ToDictionary(r => r.Id, r => r.Number);
            thread.AddRange(memory.Revisions.SelectMany(r => r.Reviews).Select(v => new ThreadEntry(
                v.At, v.Reviewer?.DisplayName ?? "", numbers[v.RevisionId], Describe(v.Decision), v.Comment)));
            var id = memory.Id.ToString();
            var audits = await db.AuditEntries.AsNoTracking()
                .Where(a => a.EntityType == "memory" && a.EntityId == id)
                .OrderBy(a => a.Id)
                .ToListAsync(cancellationToken);
            var names = await db.Users.AsNoTracking()
                .Where(u => audits.Select(a => a.Actor).Contains(u.Id))
                .ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
            thread.AddRange(audits.Select(a => new ThreadEntry(a.At, names.GetValueOrDefault(a.Actor, a.Actor), RevisionOf(a.Details), a.Action, ReasonOf(a.Details))));
        }

        return new MemoryDetails(
            memory.Id, memory.Kind, memory.Status, memory.TeamId, memory.Team?.Name ?? "", memory.AuthorId, memory.Author?.DisplayName ?? "",
            memory.ApprovedRevisionId, insider ? memory.LatestRevisionId : memory.ApprovedRevisionId!.Value, memory.ArchivedAt,
            memory.DuplicateOfId, memory.SupersedesId, memory.SupersededById, memory.Version,
            revisions, [.. thread.OrderBy(t => t.At)], insider);
    }

    internal static IQueryable<MemorySummary> Summaries(PortalDbContext db, IQueryable<Memory> memories, string? domain)
    {
        var query =
            from m in memories
            join r in db.MemoryRevisions on m.LatestRevisionId equals r.Id
            select new { m, r };
        if (!string.IsNullOrWhiteSpace(domain))
        {
            var d = domain.Trim().ToLower();
            query = query.Where(x => x.r.SourceDomain.ToLower() == d);
        }

        return query.Select(x => new MemorySummary(
            x.m.Id, x.m.Kind, x.r.Title, x.m.Status, x.r.Number, x.r.State, x.m.TeamId, x.m.Team!.Name, x.m.Author!.DisplayName,
            x.r.SourceDomain, x.r.SourceModel, x.r.Tags, x.r.AbstractionScore, x.r.SubmittedAt, x.m.UpdatedAt, x.m.Version));
    }

    private static string Describe(ReviewDecision decision) => decision switch
    {
        ReviewDecision.Approve => "approved",
        ReviewDecision.RequestChanges => "requested changes",
        ReviewDecision.Reject => "rejected",
        _ => "commented",
    };

    private static int? RevisionOf(string? details) =>
        Parse(details) is { } json && json.TryGetProperty("revision", out var revision) && revision.TryGetInt32(out var n) ? n : null;

    private static string? ReasonOf(string? details) =>
        Parse(details) is { } json && json.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null;

    private static JsonElement? Parse(string? details)
    {
        if (string.IsNullOrEmpty(details) || details[0] != '{')
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(details).RootElement;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
