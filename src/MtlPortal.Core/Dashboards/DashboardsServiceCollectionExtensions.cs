using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MtlPortal.Dashboards;

public static class DashboardsServiceCollectionExtensions
{
    /// <summary>Run comparisons (pages and API alike) and the import of external results. Needs the database.</summary>
    public static IServiceCollection AddPortalDashboards(this IServiceCollection services)
    {
        services.TryAddSingleton<RunOutcomeReader>();
        services.TryAddSingleton<RunComparisons>();
        services.TryAddSingleton<ExternalResultsImporter>();
        return services;
    }
}
