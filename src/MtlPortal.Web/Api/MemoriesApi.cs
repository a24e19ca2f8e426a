using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Agents;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using MtlPortal.Teams;
using MtlPortal.Validation;

namespace MtlPortal.Web.Api;

/// <summary>The approved pool for agents (one memory, or page by page), and submitting a memory into review.</summary>
public static class MemoriesApi
{
    public const int MaxMemoryBodyBytes = MemoryRecord.MaxLineBytes;

    public static IEndpointRouteBuilder MapMemoriesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapAgentApiGroup();
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
        return app;
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
            if (MemoryKinds.TryParse(kind, out var k))
            {
                kindFilter = k;
            }
            else
            {
                errors["kind"] = [$"kind is {MemoryKinds.Names}."];
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
            return ApiResults.Refusal(result);
        }

        var memory = result.Value!;
        var revision = memory.Revisions.Single(r => r.Id == memory.LatestRevisionId);
        return TypedResults.Created($"/api/v1/memories/{memory.Id}",
            new SubmittedMemory(memory.Id, ApiResults.Lower(memory.Status), revision.Number, Math.Round(revision.AbstractionScore, 3), revision.AbstractionFindings));
    }

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
