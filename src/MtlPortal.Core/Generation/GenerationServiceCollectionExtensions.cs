using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MtlPortal.Trajectories;

namespace MtlPortal.Generation;

public static class GenerationServiceCollectionExtensions
{
    /// <summary>
    /// Trajectory import and memory generation. Generation jobs run on the runner's job engine: this needs
    /// <c>AddPortalRuns</c> (the queue and model connections), and a process that works on jobs, <c>AddPortalRunWorker</c>.
    /// </summary>
    public static IServiceCollection AddPortalGeneration(this IServiceCollection services)
    {
        services.TryAddSingleton<TrajectoryImporter>();
        services.TryAddSingleton<TrajectoryQueries>();
        services.TryAddSingleton<GenerationLauncher>();
        services.TryAddTransient<GenerationWorker>();
        services.TryAddSingleton<Memories.BulkReview>();
        return services;
    }
}
