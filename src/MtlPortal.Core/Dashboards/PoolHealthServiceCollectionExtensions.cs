using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MtlPortal.Dashboards;

public static class PoolHealthServiceCollectionExtensions
{
    /// <summary>Pool health (DBI, LISI, projection, counts, staleness), cached. Needs <c>AddPortalRetrieval</c> (the index it reads).</summary>
    public static IServiceCollection AddPortalPoolHealth(this IServiceCollection services)
    {
        services.TryAddSingleton<PoolHealthService>();
        return services;
    }
}
