using MtlPortal.Agents;
using MtlPortal.Dashboards;
using MtlPortal.Web.Api;

namespace MtlPortal.Web.Dashboards;

/// <summary><c>GET /api/v1/pool/health</c>: the figures the Pool health dashboard shows, from the same cached report.</summary>
public static class PoolHealthApi
{
    public static IEndpointRouteBuilder MapPoolHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapAgentApiGroup("/pool", "Dashboards")
            .MapGet("/health", GetHealthAsync).RequireScope(ApiScopes.MemoriesRead).Produces<PoolHealthReport>()
            .WithName("getPoolHealth")
            .WithSummary("The approved pool's health per kind (Davies–Bouldin index, LISI, 2-D projection), counts, near-duplicates, abstraction, staleness and per-memory domain mixing. Cached; refresh=true recomputes.");
        return app;
    }

    public static async Task<IResult> GetHealthAsync(bool? refresh, PoolHealthService health, CancellationToken cancellationToken) =>
        TypedResults.Json(await health.GetAsync(refresh ?? false, cancellationToken), ApiJson.Options);
}
