using MtlPortal.Agents;
using MtlPortal.Dashboards;
using MtlPortal.Web.Api;

namespace MtlPortal.Web.Dashboards;

/// <summary><c>GET /api/v1/memories/{id}/impact</c>: the numbers the memory page and the Impact dashboard show.</summary>
public static class ImpactApi
{
    public static IEndpointRouteBuilder MapImpactApi(this IEndpointRouteBuilder app)
    {
        app.MapAgentApiGroup("/memories", "Dashboards")
            .MapGet("/{id:guid}/impact", GetImpactAsync).RequireScope(ApiScopes.MemoriesRead).Produces<MemoryImpact>().ProducesProblem(404)
            .WithName("getMemoryImpact")
            .WithSummary("A memory's impact in runs: how often retrieved and said to be used, tasks helped and hurt against zero-shot, and agents' feedback counted apart.");
        return app;
    }

    public static async Task<IResult> GetImpactAsync(Guid id, HttpContext context, ImpactAnalysis impact) =>
        await impact.ForMemoryAsync(context.ApiCaller().Actor, id, context.RequestAborted) is { } found
            ? TypedResults.Json(found, ApiJson.Options)
            : TypedResults.Problem(statusCode: 404, title: "That memory does not exist, or you cannot see it.");
}
