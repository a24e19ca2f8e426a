using Microsoft.EntityFrameworkCore;
using MtlPortal.Memories;
using MtlPortal.Persistence;

namespace MtlPortal.Retrieval;

/// <summary>How the Pool page (and agents browsing it) narrow and order the approved pool.</summary>
public sealed record PoolQuery
{
    /// <summary>Free text: ranked by semantic similarity when given.</summary>
    public string? Text { get; init; }

    public IReadOnlyCollection<MemoryKind>? Kinds { get; init; }

    public IReadOnlyCollection<string>? Domains { get; init; }

    public IReadOnlyCollection<Guid>? Teams { get; init; }

    public IReadOnlyCollection<string>? SourceModels { get; init; }

    /// <summary>Memories carrying any of these tags.</summary>
    public IReadOnlyCollection<string>? Tags { get; init; }

    /// <summary>A <see cref="PoolItem"/> property to sort by; by default similarity for a text search, else newest approval first.</summary>
    public string? SortBy { get; init; }

    public bool Descending { get; init; }

    public int Skip { get; init; }

    public int Take { get; init; } = 20;
}

/// <summary>An approved memory as the pool lists it (its served revision).</summary>
public sealed record PoolItem(
    Guid Id,
    MemoryKind Kind,
    string Title,
    Guid TeamId,
    string Team,
    string SourceDomain,
    string SourceModel,
    SourceOutcome Outcome,
    IReadOnlyList<string> Tags,
    double AbstractionScore,
    DateTimeOffset ApprovedAt,
    double? Similarity);

public sealed record PoolPage(IReadOnlyList<PoolItem> Items, int Total);

/// <summary>
/// Searches the approved pool, and only it: memories with an approved revision that are not archived, shown
/// with that revision. Text is ranked by the same index and embedding the agents' retrieval uses.
/// </summary>
public sealed class PoolSearch(IDbContextFactory<PortalDbContext> contexts, PoolIndexService pool, MemoryAnalyzer analyzer)
{
    /// <summary>How many nearest memories a text search considers before the other filters and paging.</summary>
    public const int SemanticCandidates = 500;

    public async Task<PoolPage> SearchAsync(PoolQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = Filtered(db, query);
        var take = Math.Clamp(query.Take, 1, 200);
        var skip = Math.Max(0, query.Skip);

        if (string.IsNullOrWhiteSpace(query.Text))
        {
            var total = await rows.CountAsync(cancellationToken);
            var page = await Sorted(rows, query.SortBy ?? nameof(PoolItem.ApprovedAt), query.SortBy is null || query.Descending)
                .Skip(skip).Take(take).ToListAsync(cancellationToken);
            return new PoolPage([.. page.Select(r => r.ToItem(null))], total);
        }

        await pool.Loaded.WaitAsync(cancellationToken);
        var embedding = await analyzer.EmbedQueryAsync(query.Text.Trim(), cancellationToken);
        var hits = pool.Index.Search(embedding, SemanticCandidates, new RetrievalFilter
        {
            Kinds = query.Kinds is { Count: > 0 } kinds ? kinds : Enum.GetValues<MemoryKind>(),
            Teams = query.Teams is { Count: > 0 } ? query.Teams : null,
            SourceModels = query.SourceModels is { Count: > 0 } ? query.SourceModels : null,
        });
        var scores = hits.Where(h => h.Score > 0).ToDictionary(h => h.MemoryId, h => (double)h.Score);
        var ids = scores.Keys.ToList();
        var matching = (await rows.Where(r => ids.Contains(r.Id)).ToListAsync(cancellationToken))
            .Select(r => r.ToItem(Math.Round(scores[r.Id], 3)))
            .ToList();
        IEnumerable<PoolItem> ordered = query.SortBy is null or nameof(PoolItem.Similarity)
            ? (query.SortBy is null || query.Descending ? matching.OrderByDescending(r => r.Similarity) : matching.OrderBy(r => r.Similarity)).ThenBy(r => r.Id)
            : SortedItems(matching, query.SortBy, query.Descending);
        return new PoolPage([.. ordered.Skip(skip).Take(take)], matching.Count);
    }

    private static IQueryable<PoolRow> Filtered(PortalDbContext db, PoolQuery query)
    {
        var rows =
            from m in db.Memories.AsNoTracking().Served()
            join r in db.MemoryRevisions on m.ApprovedRevisionId equals r.Id
            select new { m, r };
        if (query.Kinds is { Count: > 0 } kinds)
        {
            rows = rows.Where(x => kinds.Contains(x.m.Kind));
        }

        if (query.Domains is { Count: > 0 } domains)
        {
            rows = rows.Where(x => domains.Contains(x.r.SourceDomain));
        }

        if (query.Teams is { Count: > 0 } teams)
        {
            rows = rows.Where(x => teams.Contains(x.m.TeamId));
        }

        if (query.SourceModels is { Count: > 0 } models)
        {
            rows = rows.Where(x => models.Contains(x.r.SourceModel));
        }

        if (query.Tags is { Count: > 0 } tags)
        {
            var wanted = tags.Select(t => t.Trim().ToLowerInvariant()).ToList();
            rows = rows.Where(x => x.r.Tags.Any(t => wanted.Contains(t)));
        }

        // Member-initialised, not a record constructor, so that EF can sort on its properties in SQL.
        return rows.Select(x => new PoolRow
        {
            Id = x.m.Id, Kind = x.m.Kind, Title = x.r.Title, TeamId = x.m.TeamId, Team = x.m.Team!.Name,
            SourceDomain = x.r.SourceDomain, SourceModel = x.r.SourceModel, Outcome = x.r.Outcome, Tags = x.r.Tags,
            AbstractionScore = x.r.AbstractionScore, ApprovedAt = x.r.DecidedAt ?? x.m.UpdatedAt,
        });
    }

    // Every order ends with the id: approvals imported together share one timestamp, and without a unique last key
    // the database may order those ties differently for each page, repeating some memories and skipping others.
    private static IOrderedQueryable<PoolRow> Sorted(IQueryable<PoolRow> rows, string sortBy, bool descending)
    {
        var sorted = sortBy switch
        {
            nameof(PoolItem.Title) => descending ? rows.OrderByDescending(r => r.Title) : rows.OrderBy(r => r.Title),
            nameof(PoolItem.Kind) => descending ? rows.OrderByDescending(r => r.Kind) : rows.OrderBy(r => r.Kind),
            nameof(PoolItem.Team) => descending ? rows.OrderByDescending(r => r.Team) : rows.OrderBy(r => r.Team),
            nameof(PoolItem.SourceDomain) => descending ? rows.OrderByDescending(r => r.SourceDomain) : rows.OrderBy(r => r.SourceDomain),
            nameof(PoolItem.SourceModel) => descending ? rows.OrderByDescending(r => r.SourceModel) : rows.OrderBy(r => r.SourceModel),
            nameof(PoolItem.AbstractionScore) => descending ? rows.OrderByDescending(r => r.AbstractionScore) : rows.OrderBy(r => r.AbstractionScore),
            _ => descending ? rows.OrderByDescending(r => r.ApprovedAt) : rows.OrderBy(r => r.ApprovedAt),
        };
        return descending ? sorted.ThenByDescending(r => r.Id) : sorted.ThenBy(r => r.Id);
    }

    private static IOrderedEnumerable<PoolItem> SortedItems(IEnumerable<PoolItem> items, string sortBy, bool descending)
    {
        Func<PoolItem, object> key = sortBy switch
        {
            nameof(PoolItem.Title) => i => i.Title,
            nameof(PoolItem.Kind) => i => i.Kind,
            nameof(PoolItem.Team) => i => i.Team,
            nameof(PoolItem.SourceDomain) => i => i.SourceDomain,
            nameof(PoolItem.SourceModel) => i => i.SourceModel,
            nameof(PoolItem.AbstractionScore) => i => i.AbstractionScore,
            _ => i => i.ApprovedAt,
        };
        return descending ? items.OrderByDescending(key).ThenByDescending(i => i.Id) : items.OrderBy(key).ThenBy(i => i.Id);
    }

    private sealed class PoolRow
    {
        public Guid Id { get; init; }

        public MemoryKind Kind { get; init; }

        public string Title { get; init; } = "";

        public Guid TeamId { get; init; }

        public string Team { get; init; } = "";

        public string SourceDomain { get; init; } = "";

        public string SourceModel { get; init; } = "";

        public SourceOutcome Outcome { get; init; }

        public List<string> Tags { get; init; } = [];

        public double AbstractionScore { get; init; }

        public DateTimeOffset ApprovedAt { get; init; }

        public PoolItem ToItem(double? similarity) =>
            new(Id, Kind, Title, TeamId, Team, SourceDomain, SourceModel, Outcome, Tags, AbstractionScore, ApprovedAt, similarity);
    }
}
