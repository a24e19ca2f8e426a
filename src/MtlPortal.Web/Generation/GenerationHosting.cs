using MtlPortal.Generation;

namespace MtlPortal.Web.Generation;

public static class GenerationHosting
{
    /// <summary>Trajectory import and memory generation; its jobs run on the runner's job engine (<c>AddPortalRunner</c>).</summary>
    public static WebApplicationBuilder AddPortalGeneration(this WebApplicationBuilder builder)
    {
        builder.Services.AddPortalGeneration();
        return builder;
    }
}
