using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Agents;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;
using MtlPortal.Persistence;
using MtlPortal.Reviews;
using MtlPortal.Retrieval;
using MtlPortal.Teams;
using MtlPortal.Validation;

namespace MtlPortal.Web.Api;

/// <summary>
/// The agents' API under <c>/api/v1</c>: retrieval, reading the approved pool, submitting memories, reviewing,
/// and reporting outcomes. Every endpoint needs an API key with the endpoint's scope; every error is a
/// ProblemDetails; each key is rate-limited.
/// </summary>
public static class AgentApi
{
    public const int MaxMemoryBodyBytes = MemoryRecord.MaxLineBytes;

    public static IEndpointRouteBuilder MapAgentApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1")
            .RequireAuthorization(ApiExtensions.ApiKeyPolicy)
            .RequireRateLimiting(ApiExtensions.RateLimitPolicy)
            .WithTags("Agents");

        api.MapPost("/memories/search", SearchAsync).RequireScope(ApiScopes.MemoriesRead).Accepts<SearchBody>("application/json").Produces<SearchResponse>().ProducesValidationProblem()
            .WithName("searchMemories")
            .WithSummary("Retrieve the approved memories closest to a task (the paper's top-k, insights by default).");
        api.MapGet("/memories/{id:guid}", GetMemory).RequireScope(ApiScopes.MemoriesRead).Produces<ApiMemory>().ProducesProblem(404)
            .WithName("getMemory")
            .WithSummary("One approved memory (404 for anything not in the approved pool).");
        api.MapGet("/memories", ListMemoriesAsync).RequireScope(ApiScopes.MemoriesRead).Produces<MemoryPage>().ProducesValidationProblem()
            .WithName("listMemories")
            .WithSummary("The approved pool, page by page, for agents that keep a local copy.");
        api.MapPost("/memories", SubmitMemoryAsync).RequireScope(ApiScopes.MemoriesWrite).Accepts<MemoryRecordDocumentation>("application/json")
            .Produces<SubmittedMemory>(201).ProducesValidationProblem().ProducesProblem(413)
            .WithName("submitMemory")
            .WithSummary("Submit a memory (docs/memory-jsonl.md format); it lands in review and is never served before approval.");
        api.MapGet("/reviews/queue", ReviewQueueAsync).RequireScope(ApiScopes.ReviewsWrite).Produces<List<QueueItem>>()
            .WithName("getReviewQueue")
            .WithSummary("Memories waiting for this user's review, oldest first.");
        api.MapPost("/memories/{id:guid}/reviews", ReviewAsync).RequireScope(ApiScopes.ReviewsWrite).Accepts<ReviewBody>("application/json")
            .Produces<ReviewedMemory>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithName("reviewMemory")
            .WithSummary("Approve, reject or request changes (four eyes; a comment is required to reject or request changes).");
        api.MapPost("/feedback", FeedbackAsync).RequireScope(ApiScopes.FeedbackWrite).Accepts<FeedbackBody>("application/json")
            .Produces<RecordedFeedback>(201).ProducesValidationProblem().ProducesProblem(409)
            .WithName("reportOutcome")
            .WithSummary("Report how a task went after a search, and which returned memories were used. One outcome per search: a second is refused with 409.");
        return app;
    }

    public static async Task<IResult> SearchAsync(HttpContext context, AgentSearch search)
    {
        var (body, problem) = await ApiJson.ReadAsync<SearchBody>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var kinds = new List<MemoryKind>();
        foreach (var kind in body!.Kinds ?? [])
        {
            if (!Enum.TryParse<MemoryKind>(kind, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["kinds"] = [$"'{kind}' is not a kind: insight, summary, workflow or trajectory."] });
            }

            kinds.Add(parsed);
        }

        var result = await search.SearchAsync(context.ApiCaller(), new SearchRequest(
            body.Query ?? "", body.K ?? 3, kinds, body.ExcludeDomains, body.Teams, body.SourceModels, body.MinAbstraction), context.RequestAborted);
        if (!result.Succeeded)
        {
            return TypedResults.ValidationProblem(result.ErrorsByField());
        }

        var found = result.Value!;
        return TypedResults.Ok(new SearchResponse(
            found.RetrievalId,
            [.. found.Hits.Select(h => new ApiSearchHit(h.Rank, Math.Round(h.Score, 4), ApiMemory.From(h.Memory)))],
            found.PromptBlock));
    }

    public static IResult GetMemory(Guid id, PoolIndexService pool) =>
        pool.Served(id) is { } served
            ? TypedResults.Ok(ApiMemory.From(served))
            : TypedResults.Problem(statusCode: 404, title: "No approved memory has this id.");

    public static async Task<IResult> ListMemoriesAsync(
        string? kind, string? domain, DateTimeOffset? updatedSince, string? cursor, int? limit, IDbContextFactory<PortalDbContext> contexts, PoolIndexService pool, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        MemoryKind? kindFilter = null;
        if (kind is not null)
        {
            if (Enum.TryParse<MemoryKind>(kind, true, out var k) && Enum.IsDefined(k))
            {
                kindFilter = k;
            }
            else
            {
                errors["kind"] = ["kind is insight, summary, workflow or trajectory."];
            }
        }

        (DateTimeOffset At, Guid Id)? after = null;
        if (cursor is not null)
        {
            if (DecodeCursor(cursor) is { } decoded)
            {
                after = decoded;
            }
            else
            {
                errors["cursor"] = ["Use the nextCursor of the previous page, as it was returned."];
            }
        }

        var take = limit ?? 100;
        if (take is < 1 or > 500)
        {
            errors["limit"] = ["limit is between 1 and 500."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Memories.AsNoTracking().Served();
        if (kindFilter is { } only)
        {
            query = query.Where(m => m.Kind == only);
        }

        if (domain is not null)
        {
            query = query.Where(m => db.MemoryRevisions.Any(r => r.Id == m.ApprovedRevisionId && r.SourceDomain == domain));
        }

        if (updatedSince is { } since)
        {
            query = query.Where(m => m.UpdatedAt > since);
        }

        if (after is { } position)
        {
            query = query.Where(m => m.UpdatedAt > position.At || (m.UpdatedAt == position.At && m.Id.CompareTo(position.Id) > 0));
        }

        var page = await query.OrderBy(m => m.UpdatedAt).ThenBy(m => m.Id).Take(take + 1).Select(m => new { m.Id, m.UpdatedAt }).ToListAsync(cancellationToken);
        var items = page.Take(take).Select(p => pool.Served(p.Id)).OfType<ServedMemory>().Select(ApiMemory.From).ToList();
        var last = page.Take(take).LastOrDefault();
        return TypedResults.Ok(new MemoryPage(items, page.Count > take && last is not null ? EncodeCursor(last.UpdatedAt, last.Id) : null));
    }

    public static async Task<IResult> SubmitMemoryAsync(
        HttpContext context, MemoryAuthoring authoring, IDbContextFactory<PortalDbContext> contexts)
    {
        var (text, problem) = await ApiJson.ReadTextAsync(context.Request, MaxMemoryBodyBytes);
        if (problem is not null)
        {
            return problem;
        }

        var (record, parseErrors) = MemoryRecord.Parse(text!);
        if (record is null)
        {
            return TypedResults.ValidationProblem(new WriteResult<object>(null, parseErrors, WriteFailure.Invalid).ErrorsByField());
        }

        var caller = context.ApiCaller();
        Guid? teamId = null;
        if (record.Team is { } teamName)
        {
            await using var db = await contexts.CreateDbContextAsync(context.RequestAborted);
            teamId = await db.Teams.FindIdByNameAsync(teamName, context.RequestAborted);
            if (teamId is null)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["team"] = [$"There is no team '{teamName}'."] });
            }
        }

        var result = await authoring.SubmitNewAsync(caller.Actor, new MemoryDraft(record.Content, record.Provenance, teamId), context.RequestAborted);
        if (!result.Succeeded)
        {
            return Failure(result);
        }

        var memory = result.Value!;
        var revision = memory.Revisions.Single(r => r.Id == memory.LatestRevisionId);
        return TypedResults.Created($"/api/v1/memories/{memory.Id}",
            new SubmittedMemory(memory.Id, Lower(memory.Status), revision.Number, Math.Round(revision.AbstractionScore, 3), revision.AbstractionFindings));
    }

    public static async Task<IResult> ReviewQueueAsync(HttpContext context, PendingReviews pending) =>
        TypedResults.Ok((await pending.QueueAsync(context.ApiCaller().Actor, new ReviewQueueFilter(), context.RequestAborted))
            .Select(m => new QueueItem(m.Id, Lower(m.Kind), m.Title, m.Team, m.Author, m.SourceDomain, m.SourceModel, Math.Round(m.AbstractionScore, 3), m.SubmittedAt, m.Revision, m.Version))
            .ToList());

    public static async Task<IResult> ReviewAsync(Guid id, HttpContext context, ReviewDecisions reviews)
    {
        var (body, problem) = await ApiJson.ReadAsync<ReviewBody>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        ReviewDecision? decision = body!.Decision?.Trim().ToLowerInvariant() switch
        {
            "approve" => ReviewDecision.Approve,
            "reject" => ReviewDecision.Reject,
            "request_changes" or "request-changes" or "requestchanges" => ReviewDecision.RequestChanges,
            _ => null,
        };
        if (decision is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["decision"] = ["decision is approve, reject or request_changes."] });
        }

        var result = await reviews.DecideAsync(context.ApiCaller().Actor, id, decision.Value, body.Comment, body.ExpectedVersion, context.RequestAborted);
        return result.Succeeded
            ? TypedResults.Ok(new ReviewedMemory(id, Lower(result.Value!.Status), result.Value.Version))
            : Failure(result);
    }

    public static async Task<IResult> FeedbackAsync(HttpContext context, FeedbackService feedback)
    {
        var (body, problem) = await ApiJson.ReadAsync<FeedbackBody>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var result = await feedback.RecordAsync(context.ApiCaller(), new FeedbackRequest(body!.RetrievalId, body.Outcome ?? "", body.MemoryIds, body.Note), context.RequestAborted);
        if (!result.Succeeded)
        {
            return Failure(result);
        }

        var saved = result.Value!;
        return TypedResults.Created($"/api/v1/feedback/{saved.Id}", new RecordedFeedback(saved.Id, saved.RetrievalId, Lower(saved.Outcome), saved.MemoryIds));
    }

    /// <summary>A refused write as the status it stands for, with the workflow's own words.</summary>
    private static IResult Failure<TValue>(WriteResult<TValue> result) => result.Failure switch
        {
            WriteFailure.Invalid => TypedResults.ValidationProblem(result.ErrorsByField()),
            WriteFailure.Forbidden => TypedResults.Problem(statusCode: 403, title: "Not allowed.", detail: result.Errors[0].Message),
            WriteFailure.NotFound => TypedResults.Problem(statusCode: 404, title: "Not found.", detail: result.Errors[0].Message),
            _ => TypedResults.Problem(statusCode: 409, title: "Conflict.", detail: result.Errors[0].Message),
        };

    private static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string EncodeCursor(DateTimeOffset at, Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{at.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{id:N}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (DateTimeOffset, Guid)? DecodeCursor(string cursor)
    {
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split(':');
            return parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var ticks) && Guid.TryParseExact(parts[1], "N", out var id)
                ? (new DateTimeOffset(ticks, TimeSpan.Zero), id)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>For the OpenAPI document only: the submitted body is one line of the memory JSONL format (docs/memory-jsonl.md).</summary>
public sealed record MemoryRecordDocumentation(
    string Kind, string SourceDomain, string SourceModel, string? Title = null, string? Description = null, string? Content = null,
    string? SourceTaskRef = null, string? Outcome = null, IReadOnlyList<string>? Tags = null, string? Team = null);
