using Microsoft.Extensions.DependencyInjection;

namespace MtlPortal.Agents;

public static class AgentsServiceCollectionExtensions
{
    /// <summary>API keys (for every host, the CLI creates them too).</summary>
    public static IServiceCollection AddPortalApiKeys(this IServiceCollection services) =>
        services.AddSingleton<ApiKeyService>();

    /// <summary>Agent-facing search, its background log and feedback; needs <c>AddPortalRetrieval</c>.</summary>
    public static IServiceCollection AddPortalAgentSearch(this IServiceCollection services)
    {
        services.AddSingleton<RetrievalLog>();
        services.AddHostedService(sp => sp.GetRequiredService<RetrievalLog>());
        services.AddSingleton<AgentSearch>();
        services.AddSingleton<QueryPlanner>();
        services.AddSingleton<FeedbackService>();
        return services;
    }
}
