using MtlPortal.Agents;
using MtlPortal.Memories;

namespace MtlPortal.Web.Api;

/// <summary>Retrieval for agents: the approved memories closest to a task, logged for the outcome reported later.</summary>
public static class SearchApi
{
    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapAgentApiGroup();
        api.MapPost("/memories/search", SearchAsync).RequireScope(ApiScopes.MemoriesRead).Accepts<SearchBody>("application/json").Produces<SearchResponse>().ProducesValidationProblem()
            .WithName("searchMemories")
            .WithSummary("Retrieve the approved memories closest to a task (the paper's top-k, insights by default).");
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
}
