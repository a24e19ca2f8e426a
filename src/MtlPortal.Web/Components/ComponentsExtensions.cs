using MtlPortal.Web.Components.Memories;
using MudBlazor.Services;

namespace MtlPortal.Web.Components;

public static class ComponentsExtensions
{
    public static WebApplicationBuilder AddPortalUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddSingleton<MemoryDetailLoader>();
        return builder;
    }

    public static WebApplication MapPortalUi(this WebApplication app)
    {
        app.MapStaticAssets();
        // Blazor sends its own frame-ancestors policy with the circuit; make it the portal's (SecurityHeaders) so the two agree.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = "'none'");
        return app;
    }
}
