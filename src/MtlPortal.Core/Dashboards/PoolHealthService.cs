using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using MtlPortal.Settings;

namespace MtlPortal.Dashboards;

/// <summary>How far a pool-health computation is: memories whose neighbourhood was searched, of all.</summary>
public sealed record PoolHealthProgress(int Done, int Total);

/// <summary>
/// Computes <see cref="PoolHealthReport"/> from the approved pool as the retrieval index holds it (the same
/// normalised vectors searches use; neighbours are found with the index's exact top-k) and keeps the last report:
/// the pool changes rarely and one computation searches once per memory. A report is recomputed when asked, or
/// when it is read after the pool changed or after <see cref="MaxAge"/>. Only one computation runs at a time;
/// callers that arrive meanwhile wait for it.
/// </summary>
public sealed class PoolHealthService(
    PoolIndexService pool,
    IDbContextFactory<PortalDbContext> contexts,
    ReviewSettingsStore settings,
    TimeProvider clock,
    ILogger<PoolHealthService> logger)
{
    /// <summary>The most memories per kind drawn on the scatter (a deterministic sample beyond it).</summary>
    public const int MaxScatterPoints = 1500;

    /// <summary>A domain with fewer insights than this is listed as having few.</summary>
    public const int FewInsightsBelow = 3;

    /// <summary>Searches happen all the time, so "since last retrieval" goes stale even when the pool does not.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    private readonly SemaphoreSlim _computing = new(1, 1);
    private volatile Cached? _cached;
    private volatile PoolHealthProgress? _progress;

    /// <summary>The running computation's progress; null when none runs.</summary>
    public PoolHealthProgress? Progress => _progress;

    /// <summary>The last report without computing anything; null before the first.</summary>
    public PoolHealthReport? Last => _cached?.Report;

    /// <summary>Whether the pool changed since the last report was computed (or there is none).</summary>
    public bool IsStale => _cached is not { } cached || cached.Fingerprint != Fingerprint(pool.Index.Rows());

    /// <summary>The cached report, recomputed first when <paramref name="refresh"/> is set, the pool changed, or it is older than <see cref="MaxAge"/>.</summary>
    public async Task<PoolHealthReport> GetAsync(bool refresh = false, CancellationToken cancellationToken = default)
    {
        await pool.Loaded.WaitAsync(cancellationToken);
        var rows = pool.Index.Rows();
        var fingerprint = Fingerprint(rows);
        if (!refresh && Fresh(_cached, fingerprint) is { } fresh)
        {
            return fresh;
        }

        await _computing.WaitAsync(cancellationToken);
        try
        {
            // Someone else may have computed it while this caller waited.
            if (Fresh(_cached, fingerprint) is { } justComputed && (!refresh || justComputed.ComputedAt >= clock.GetUtcNow().AddSeconds(-5)))
            {
                return justComputed;
            }

            var report = await ComputeAsync(rows, cancellationToken);
            _cached = new Cached(report, fingerprint);
            return report;
        }
        finally
        {
            _progress = null;
            _computing.Release();
        }
    }

    /// <summary>
    /// One memory's domain mixing: from the report for a pooled memory, otherwise (a memory in review) computed now
    /// from its newest revision's embedding against the pool of its kind. Null when it has no comparable embedding
    /// or its kind has no other memories in the pool.
    /// </summary>
    public async Task<MemoryMixing?> MixingAsync(Guid memoryId, CancellationToken cancellationToken = default)
    {
        await pool.Loaded.WaitAsync(cancellationToken);
        if (pool.Served(memoryId) is not null)
        {
            var report = await GetAsync(cancellationToken: cancellationToken);
            if (report.Mixing.TryGetValue(memoryId, out var mixing))
            {
                return mixing;
            }
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var latest = await db.Memories.AsNoTracking().Where(m => m.Id == memoryId)
            .Join(db.MemoryRevisions, m => m.LatestRevisionId, r => r.Id, (m, r) => new { m.Kind, r.SourceDomain, r.Embedding, r.EmbeddingModel })
            .FirstOrDefaultAsync(cancellationToken);
        if (latest is not { Embedding: { } embedding } || latest.EmbeddingModel != pool.EmbeddingModel || embedding.Length != pool.Index.Dimensions)
        {
            return null;
        }

        var sameKind = pool.AllServed().Where(s => s.Content.Kind == latest.Kind).ToList();
        var domains = DomainIds(sameKind.Select(s => s.Provenance.SourceDomain).Append(latest.SourceDomain));
        return Mix(memoryId, embedding, latest.Kind, latest.SourceDomain, sameKind.Count(s => s.MemoryId != memoryId) + 1, domains);
    }

    private PoolHealthReport? Fresh(Cached? cached, int fingerprint) =>
        cached is not null && cached.Fingerprint == fingerprint && clock.GetUtcNow() - cached.Report.ComputedAt < MaxAge ? cached.Report : null;

    private async Task<PoolHealthReport> ComputeAsync(IReadOnlyList<PooledVector> rows, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        var served = rows.Select(r => (Row: r, Served: pool.Served(r.MemoryId))).Where(r => r.Served is not null).ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var threshold = (await settings.GetAsync(cancellationToken)).DuplicateThreshold;
        var benchmarkDomains = await db.Benchmarks.AsNoTracking().Select(b => b.Name).ToListAsync(cancellationToken);
        var ids = served.Select(s => s.Row.MemoryId).ToList();
        var lastRetrieved = await (from h in db.RetrievalHits
                                   join r in db.Retrievals on h.RetrievalId equals r.Id
                                   where ids.Contains(h.MemoryId)
                                   group r.At by h.MemoryId into g
                                   select new { MemoryId = g.Key, At = g.Max() })
            .ToDictionaryAsync(x => x.MemoryId, x => x.At, cancellationToken);

        _progress = new PoolHealthProgress(0, served.Count);
        var done = 0;
        var mixing = new Dictionary<Guid, MemoryMixing>();
        var duplicatePairs = new HashSet<(Guid, Guid)>();
        var withDuplicate = new HashSet<Guid>();
        var kinds = new List<KindHealth>();
        foreach (var group in served.GroupBy(s => s.Row.Kind).OrderBy(g => g.Key))
        {
            var members = group.ToList();
            var domainIds = DomainIds(members.Select(m => m.Served!.Provenance.SourceDomain));
            var labels = members.Select(m => domainIds[m.Served!.Provenance.SourceDomain]).ToList();
            var perplexity = PoolHealthMath.PerplexityFor(members.Count);
            var lisi = new List<double>();
            foreach (var (row, memory) in members)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var neighbours = Neighbours(row.MemoryId, row.Vector.Span, row.Kind, members.Count);
                foreach (var hit in neighbours.Where(h => h.Score >= threshold))
                {
                    duplicatePairs.Add(row.MemoryId.CompareTo(hit.MemoryId) < 0 ? (row.MemoryId, hit.MemoryId) : (hit.MemoryId, row.MemoryId));
                    withDuplicate.Add(row.MemoryId);
                    withDuplicate.Add(hit.MemoryId);
                }

                if (Mix(neighbours, memory!.Provenance.SourceDomain, domainIds, perplexity) is { } mix)
                {
                    mixing[row.MemoryId] = mix;
                    lisi.Add(mix.Lisi);
                }

                _progress = new PoolHealthProgress(++done, served.Count);
            }

            var vectors = members.Select(m => m.Row.Vector).ToList();
            var sample = Sample(members.Count, MaxScatterPoints);
            var projection = PoolHealthMath.Project2D([.. sample.Select(i => vectors[i])]);
            kinds.Add(new KindHealth(
                group.Key,
                members.Count,
                domainIds.Count,
                Round(PoolHealthMath.DaviesBouldin(vectors, labels)),
                lisi.Count > 0 ? Round(lisi.Average()) : null,
                lisi.Count > 0 ? Round(Median(lisi)) : null,
                perplexity,
                [.. sample.Select((i, n) => new ScatterPoint(members[i].Row.MemoryId, members[i].Served!.Content.DisplayTitle, members[i].Served!.Provenance.SourceDomain,
                    Math.Round(projection[n].X, 4), Math.Round(projection[n].Y, 4)))]));
        }

        var now = clock.GetUtcNow();
        var memories = served.Select(s => s.Served!).ToList();
        var insightsByDomain = memories.Where(m => m.Content.Kind == MemoryKind.Insight)
            .GroupBy(m => m.Provenance.SourceDomain, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        var allDomains = memories.Select(m => m.Provenance.SourceDomain).Concat(benchmarkDomains).Distinct(StringComparer.OrdinalIgnoreCase);
        var report = new PoolHealthReport(
            now,
            memories.Count,
            pool.EmbeddingModel,
            kinds,
            Counts(memories.Select(m => m.Content.Kind.ToString().ToLowerInvariant())),
            Counts(memories.Select(m => m.Provenance.SourceDomain)),
            Counts(memories.Select(m => m.Team)),
            Counts(memories.Select(m => m.Provenance.SourceModel)),
            threshold,
            duplicatePairs.Count,
            memories.Count == 0 ? 0 : Math.Round((double)withDuplicate.Count / memories.Count, 4),
            [.. Enumerable.Range(0, 10).Select(bin => new NamedCount(
                $"{bin / 10.0:0.0}–{(bin + 1) / 10.0:0.0}",
                memories.Count(m => Math.Min(9, (int)Math.Floor(Math.Clamp(m.AbstractionScore, 0, 1) * 10)) == bin)))],
            Ages(memories.Select(m => (DateTimeOffset?)m.ApprovedAt), now),
            Ages(memories.Select(m => lastRetrieved.TryGetValue(m.MemoryId, out var at) ? at : (DateTimeOffset?)null), now),
            [.. allDomains.Select(d => new NamedCount(d, insightsByDomain.GetValueOrDefault(d)))
                .Where(d => d.Count < FewInsightsBelow).OrderBy(d => d.Count).ThenBy(d => d.Name, StringComparer.OrdinalIgnoreCase)],
            mixing);
        logger.LogInformation("Pool health computed for {Count} memories in {Elapsed:0.0} s", memories.Count, (clock.GetUtcNow() - started).TotalSeconds);
        return report;
    }

    private MemoryMixing? Mix(Guid memoryId, float[] embedding, MemoryKind kind, string domain, int kindCount, Dictionary<string, int> domainIds)
    {
        var neighbours = Neighbours(memoryId, embedding, kind, kindCount);
        return Mix(neighbours, domain, domainIds, PoolHealthMath.PerplexityFor(kindCount));
    }

    // The 3 × perplexity nearest memories of the same kind, the memory itself left out, by the index's exact top-k.
    private List<IndexHit> Neighbours(Guid memoryId, ReadOnlySpan<float> vector, MemoryKind kind, int kindCount)
    {
        var k = Math.Min(PoolHealthMath.NeighbourCount(PoolHealthMath.PerplexityFor(kindCount)), kindCount - 1);
        if (k < 1)
        {
            return [];
        }

        return [.. pool.Index.Search(vector, k + 1, new RetrievalFilter { Kinds = [kind] }).Where(h => h.MemoryId != memoryId).Take(k)];
    }

    private MemoryMixing? Mix(List<IndexHit> neighbours, string ownDomain, Dictionary<string, int> domainIds, double perplexity)
    {
        var labels = neighbours.Select(h => pool.Served(h.MemoryId) is { } s && domainIds.TryGetValue(s.Provenance.SourceDomain, out var id) ? id : -1).ToArray();
        var kept = Enumerable.Range(0, neighbours.Count).Where(i => labels[i] >= 0).ToList();
        if (kept.Count == 0)
        {
            return null;
        }

        // Unit vectors: ‖a − b‖ = √(2 − 2 cos).
        var distances = kept.Select(i => Math.Sqrt(Math.Max(0, 2 - (2 * (double)neighbours[i].Score)))).ToArray();
        var keptLabels = kept.Select(i => labels[i]).ToArray();
        var weights = PoolHealthMath.NeighbourWeights(distances, perplexity);
        var own = domainIds.GetValueOrDefault(ownDomain, -1);
        var ownShare = Enumerable.Range(0, weights.Length).Where(i => keptLabels[i] == own).Sum(i => weights[i]);
        return new MemoryMixing(
            Math.Round(PoolHealthMath.Lisi(distances, keptLabels, perplexity), 4),
            Math.Round(ownShare, 4),
            kept.Count,
            domainIds.Count);
    }

    private static Dictionary<string, int> DomainIds(IEnumerable<string> domains)
    {
        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var domain in domains)
        {
            ids.TryAdd(domain, ids.Count);
        }

        return ids;
    }

    private static IReadOnlyList<NamedCount> Counts(IEnumerable<string> names) =>
        [.. names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Select(g => new NamedCount(g.Key, g.Count()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Name, StringComparer.OrdinalIgnoreCase)];

    private static readonly (string Label, TimeSpan Under)[] AgeBuckets =
    [
        ("under a week", TimeSpan.FromDays(7)),
        ("1–4 weeks", TimeSpan.FromDays(30)),
        ("1–3 months", TimeSpan.FromDays(91)),
        ("3–12 months", TimeSpan.FromDays(365)),
        ("over a year", TimeSpan.MaxValue),
    ];

    private static IReadOnlyList<NamedCount> Ages(IEnumerable<DateTimeOffset?> times, DateTimeOffset now)
    {
        var list = times.ToList();
        var result = AgeBuckets.Select((bucket, i) => new NamedCount(bucket.Label, list.Count(t =>
            t is { } at && now - at < bucket.Under && (i == 0 || now - at >= AgeBuckets[i - 1].Under)))).ToList();
        result.Add(new NamedCount("never", list.Count(t => t is null)));
        return result;
    }

    // Every index when it fits, else evenly spaced ones: the same pool always draws the same points.
    private static List<int> Sample(int count, int max) =>
        count <= max ? [.. Enumerable.Range(0, count)] : [.. Enumerable.Range(0, max).Select(i => (int)((long)i * count / max))];

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double? Round(double? value) => value is { } v && double.IsFinite(v) ? Math.Round(v, 4) : null;

    // Changes whenever a memory enters, leaves, or is re-embedded; order-independent.
    private static int Fingerprint(IReadOnlyList<PooledVector> rows)
    {
        var hash = rows.Count;
        foreach (var row in rows)
        {
            var span = row.Vector.Span;
            hash ^= HashCode.Combine(row.MemoryId, span.Length > 0 ? span[0] : 0, span.Length > 1 ? span[^1] : 0);
        }

        return hash;
    }

    private sealed record Cached(PoolHealthReport Report, int Fingerprint);
}
