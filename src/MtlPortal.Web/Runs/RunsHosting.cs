using MtlPortal.Runs;
using MtlPortal.Sandbox;

namespace MtlPortal.Web.Runs;

public static class RunsHosting
{
    /// <summary>Runs for the web host: starting and reading them, and this process's share of the work (Hangfire server).</summary>
    public static WebApplicationBuilder AddPortalRunner(this WebApplicationBuilder builder)
    {
        builder.Services.AddPortalSandbox();
        builder.Services.AddPortalRunWorker();
        return builder;
    }
}
