using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MtlPortal.Dashboards;

public static class ImpactServiceCollectionExtensions
{
    /// <summary>Per-memory impact from the runs' attempts and the agents' feedback. Needs the database.</summary>
    public static IServiceCollection AddPortalImpact(this IServiceCollection services)
    {
        services.TryAddSingleton<ImpactAnalysis>();
        return services;
    }
}
