using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MtlPortal.Sandbox;

public static class SandboxServiceCollectionExtensions
{
    /// <summary>
    /// The bubblewrap sandbox as <see cref="ICodeSandbox"/> (one per host: its concurrency bound is process-wide),
    /// with <see cref="SandboxOptions"/> bound from "Sandbox".
    /// </summary>
    public static IServiceCollection AddPortalSandbox(this IServiceCollection services)
    {
        services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.Section);
        services.TryAddSingleton<BubblewrapSandbox>();
        services.TryAddSingleton<ICodeSandbox>(sp => sp.GetRequiredService<BubblewrapSandbox>());
        return services;
    }
}
