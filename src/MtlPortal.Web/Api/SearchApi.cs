using MtlPortal.Agents;
using MtlPortal.Llm;
using MtlPortal.Memories;
using MtlPortal.Runs;
using MtlPortal.Validation;

namespace MtlPortal.Web.Api;

/// <summary>Retrieval for agents: the approved memories closest to a task, logged for the outcome reported later.</summary>
public static class SearchApi
{
    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapAgentApiGroup();
        api.MapPost("/memories/search", SearchAsync).RequireScope(ApiScopes.MemoriesRead).Accepts<SearchBody>("application/json").Produces<SearchResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status502BadGateway)
            .WithName("searchMemories")
            .WithSummary("Retrieve the approved memories closest to a task (the paper's top-k, insights by default). With queryMode plan, the portal's LLM first writes a short plan for the task, which is embedded instead and returned.");
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
            if (!MemoryKinds.TryParse(kind, out var parsed))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["kinds"] = [$"'{kind}' is not a kind: {MemoryKinds.Names}."] });
            }

            kinds.Add(parsed);
        }

        var queryMode = RetrievalQuery.Task;
        if (body.QueryMode is { } mode && (!Enum.TryParse(mode, ignoreCase: true, out queryMode) || !Enum.IsDefined(queryMode)))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["queryMode"] = [$"'{mode}' is not a query mode: task (the default) or plan."] });
        }

        WriteResult<SearchResult> result;
        try
        {
            result = await search.SearchAsync(context.ApiCaller(), new SearchRequest(
                body.Query ?? "", body.K ?? 3, kinds, body.ExcludeDomains, body.Teams, body.SourceModels, body.MinAbstraction, queryMode), context.RequestAborted);
        }
        catch (ModelServiceException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The LLM that writes plans did not answer; search with queryMode task meanwhile.", detail: e.Message);
        }

        if (!result.Succeeded)
        {
            return TypedResults.ValidationProblem(result.ErrorsByField());
        }

        var found = result.Value!;
        return TypedResults.Ok(new SearchResponse(
            found.RetrievalId,
            [.. found.Hits.Select(h => new ApiSearchHit(h.Rank, Math.Round(h.Score, 4), ApiMemory.From(h.Memory)))],
            found.PromptBlock,
            found.Plan));
    }
}
