using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MtlPortal.Runs;

public static class RunsServiceCollectionExtensions
{
    /// <summary>
    /// Model connections, starting and reading runs, and the queue. Needs the database (which also holds the Data Protection key ring, so model keys one process encrypted are readable by the portal, the CLI and workers alike), the
    /// sandbox and (to run attempts) <c>AddPortalRetrieval</c> and <c>AddPortalAgentSearch</c>.
    /// </summary>
    public static IServiceCollection AddPortalRuns(this IServiceCollection services)
    {
        services.AddOptions<RunnerOptions>().BindConfiguration(RunnerOptions.Section);
        services.TryAddSingleton<ModelConnections>();
        services.TryAddSingleton<RunQueue>();
        services.TryAddSingleton<RunLauncher>();
        services.TryAddSingleton<RunReports>();
        return services;
    }

    /// <summary>This process works on queued tasks of runs (Hangfire server), and registers <c>Llm:*</c> as a connection at start.</summary>
    public static IServiceCollection AddPortalRunWorker(this IServiceCollection services)
    {
        services.AddPortalRuns();
        services.TryAddSingleton<AttemptRunner>();
        services.TryAddTransient<RunTaskJob>();
        services.TryAddSingleton<RunFailures>();
        services.AddHostedService<ModelConnectionSeeding>();
        services.AddHostedService<RunWorkerService>();
        return services;
    }
}

/// <summary>Registers <c>Llm:*</c> as a model connection when the host starts (after the database).</summary>
internal sealed class ModelConnectionSeeding(IServiceProvider services) : Microsoft.Extensions.Hosting.IHostedService
{
    // Resolved on start: hosted services are built before the database starts, and the EF factory needs it.
    public Task StartAsync(CancellationToken cancellationToken) =>
        services.GetRequiredService<ModelConnections>().SeedFromConfigurationAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
