using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Memories;

namespace MtlPortal.Retrieval;

public static class RetrievalServiceCollectionExtensions
{
    /// <summary>The in-memory approved pool index, kept in sync with the database, and the pool search over it. For hosts that serve searches.</summary>
    public static IServiceCollection AddPortalRetrieval(this IServiceCollection services)
    {
        services.AddSingleton<PoolIndexService>();
        services.AddHostedService(sp => sp.GetRequiredService<PoolIndexService>());
        services.AddSingleton<IPoolObserver>(sp => sp.GetRequiredService<PoolIndexService>());
        services.AddSingleton<PoolSearch>();
        services.AddHostedService<ReembedOnStartup>();
        return services;
    }
}
