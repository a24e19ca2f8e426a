using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Sandbox;

namespace MtlPortal.Benchmarks;

public static class BenchmarksServiceCollectionExtensions
{
    /// <summary>Benchmark import and reference verification, with the sandbox they need.</summary>
    public static IServiceCollection AddPortalBenchmarks(this IServiceCollection services)
    {
        services.AddPortalSandbox();
        services.AddSingleton<BenchmarkImporter>();
        services.AddSingleton<ReferenceVerifier>();
        services.AddSingleton<BenchmarkCatalog>();
        return services;
    }
}
