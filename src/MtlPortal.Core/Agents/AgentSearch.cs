using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using MtlPortal.Runs;
using MtlPortal.Teams;
using MtlPortal.Validation;

namespace MtlPortal.Agents;

/// <summary>What an agent asks for: the task text and how to narrow the pool (the paper's defaults: insights, top 3).</summary>
public sealed record SearchRequest(
    string Query,
    int K = 3,
    IReadOnlyList<MemoryKind>? Kinds = null,
    IReadOnlyList<string>? ExcludeDomains = null,
    IReadOnlyList<string>? Teams = null,
    IReadOnlyList<string>? SourceModels = null,
    double? MinAbstraction = null,
    RetrievalQuery QueryMode = RetrievalQuery.Task)
{
    public const int MaxK = 50;
    public const int MaxQueryLength = 20_000;

    public IEnumerable<FieldError> Validate()
    {
        if (string.IsNullOrWhiteSpace(Query))
        {
            yield return new FieldError("query", "Describe the task to find memories for.");
        }
        else if (Query.Length > MaxQueryLength)
        {
            yield return new FieldError("query", $"A query has at most {MaxQueryLength} characters.");
        }

        if (K is < 1 or > MaxK)
        {
            yield return new FieldError("k", $"k is between 1 and {MaxK}.");
        }

        if (MinAbstraction is < 0 or > 1)
        {
            yield return new FieldError("minAbstraction", "minAbstraction is between 0 and 1.");
        }

        // Checked here, before the search is queued for the log: one unstorable filter would fail a whole batch.
        foreach (var error in TextRules.Check([("query", Query), .. Texts("excludeDomains", ExcludeDomains), .. Texts("teams", Teams), .. Texts("sourceModels", SourceModels)]))
        {
            yield return error;
        }
    }

    private static IEnumerable<(string, string?)> Texts(string field, IReadOnlyList<string>? values) =>
        (values ?? []).Select((v, i) => ($"{field}[{i}]", (string?)v));
}

public sealed record SearchHit(int Rank, float Score, ServedMemory Memory);

/// <summary>Who searched, as the search log records it: an agent's key, or a run of the portal's own runner.</summary>
/// <param name="ApiKeyId">The agent's key; null for a run.</param>
/// <param name="UserId">The key's user, or the user who started the run.</param>
/// <param name="RunId">The run whose attempt searched; null for the API.</param>
public sealed record SearchOrigin(Guid? ApiKeyId, string UserId, Guid? RunId = null);

/// <param name="Plan">The plan that was embedded instead of the query, for a plan query; null otherwise.</param>
public sealed record SearchResult(Guid RetrievalId, IReadOnlyList<SearchHit> Hits, string PromptBlock, string? Plan = null);

/// <summary>
/// Retrieval as the paper does it: embed the task, exact cosine against the approved pool (filters first:
/// kinds, left-out domains, teams, source models, minimum abstraction), top-k. Every search is logged for
/// attribution: who, a hash of the query, what came back with scores, when.
/// </summary>
public sealed class AgentSearch(
    PoolIndexService pool, MemoryAnalyzer analyzer, IDbContextFactory<PortalDbContext> contexts, RetrievalLog log, QueryPlanner planner, TimeProvider clock)
{
    private (DateTimeOffset At, IReadOnlyDictionary<string, Guid> ByName)? _teams;

    public Task<WriteResult<SearchResult>> SearchAsync(ApiCaller caller, SearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return SearchAsync(new SearchOrigin(caller.KeyId, caller.UserId), request, frozenPool: null, cancellationToken);
    }

    /// <summary>
    /// The same search, for the runner: <paramref name="frozenPool"/> (memory id to the approved revision it had
    /// when the run started) restricts the pool to what was approved then. A memory whose approved revision has
    /// changed since, or that left the pool, is no longer eligible: the index holds only current revisions, and
    /// serving the newer text would make the run's results depend on when each attempt ran.
    /// </summary>
    public async Task<WriteResult<SearchResult>> SearchAsync(
        SearchOrigin origin, SearchRequest request, IReadOnlyDictionary<Guid, Guid>? frozenPool, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(origin);
        var errors = request.Validate().ToList();
        var teamIds = new List<Guid>();
        if (request.Teams is { Count: > 0 } teams)
        {
            var known = await TeamsAsync(cancellationToken);
            foreach (var team in teams)
            {
                if (Guid.TryParse(team, out var id) || known.TryGetValue(team.Trim(), out id))
                {
                    teamIds.Add(id);
                }
                else
                {
                    errors.Add(new FieldError("teams", $"There is no team '{team}'."));
                }
            }
        }

        if (request.QueryMode == RetrievalQuery.Plan && !planner.IsAvailable)
        {
            errors.Add(new FieldError("queryMode", "Plan queries need an LLM to write the plan, and this portal has none: an admin sets Llm:Endpoint and Llm:Model. Search with the task itself meanwhile."));
        }

        if (errors.Count > 0)
        {
            return WriteResult<SearchResult>.Fail(errors);
        }

        // A model failure here throws ModelServiceException: the caller reports the LLM, not a bad request.
        var plan = request.QueryMode == RetrievalQuery.Plan ? await planner.PlanAsync(request.Query, cancellationToken) : null;
        await pool.Loaded.WaitAsync(cancellationToken);
        var embedding = await analyzer.EmbedQueryAsync(plan is { Length: > 0 } ? plan : request.Query, cancellationToken);
        var filter = new RetrievalFilter
        {
            Kinds = request.Kinds is { Count: > 0 } kinds ? kinds : [MemoryKind.Insight],
            ExcludeDomains = request.ExcludeDomains ?? [],
            Teams = teamIds.Count > 0 ? teamIds : null,
            SourceModels = request.SourceModels is { Count: > 0 } models ? models : null,
            MinAbstraction = request.MinAbstraction,
            Memories = frozenPool is null ? null : StillServed(frozenPool),
        };
        var hits = new List<SearchHit>();
        foreach (var hit in pool.Index.Search(embedding, request.K, filter))
        {
            if (pool.Served(hit.MemoryId) is { } served)
            {
                hits.Add(new SearchHit(hits.Count + 1, hit.Score, served));
            }
        }

        var record = new RetrievalRecord
        {
            Id = Guid.CreateVersion7(), ApiKeyId = origin.ApiKeyId, UserId = origin.UserId, At = clock.GetUtcNow(),
            QueryHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.Query))), K = request.K,
            Filters = JsonSerializer.Serialize(new
            {
                kinds = filter.Kinds.Select(k => k.ToString().ToLowerInvariant()),
                excludeDomains = filter.ExcludeDomains,
                teams = filter.Teams,
                sourceModels = filter.SourceModels,
                minAbstraction = filter.MinAbstraction,
                runId = origin.RunId,
                // The hash is always the task's: a plan query is told apart by its mode, and the plan is cached by task.
                queryMode = plan is null ? "task" : "plan",
            }),
            EmbeddingModel = pool.EmbeddingModel,
        };
        record.Hits.AddRange(hits.Select(h => new RetrievalHit { RetrievalId = record.Id, Rank = h.Rank, MemoryId = h.Memory.MemoryId, RevisionId = h.Memory.RevisionId, Score = h.Score }));
        await log.AddAsync(record, cancellationToken);
        return WriteResult<SearchResult>.Ok(new SearchResult(record.Id, hits, PromptBlock.Render([.. hits.Select(h => h.Memory)]), plan));
    }

    private HashSet<Guid> StillServed(IReadOnlyDictionary<Guid, Guid> frozenPool)
    {
        var eligible = new HashSet<Guid>();
        foreach (var (memoryId, revisionId) in frozenPool)
        {
            if (pool.Served(memoryId)?.RevisionId == revisionId)
            {
                eligible.Add(memoryId);
            }
        }

        return eligible;
    }

    /// <summary>Team names change rarely; a half-minute cache spares a query per search.</summary>
    private async Task<IReadOnlyDictionary<string, Guid>> TeamsAsync(CancellationToken cancellationToken)
    {
        if (_teams is { } cached && clock.GetUtcNow() - cached.At < TimeSpan.FromSeconds(30))
        {
            return cached.ByName;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var byName = await db.Teams.IdsByNameAsync(cancellationToken);
        _teams = (clock.GetUtcNow(), byName);
        return byName;
    }
}
