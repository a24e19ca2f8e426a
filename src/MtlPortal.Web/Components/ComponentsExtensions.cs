using MudBlazor.Services;
using Radzen;

namespace MtlPortal.Web.Components;

public static class ComponentsExtensions
{
    public static WebApplicationBuilder AddPortalUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        // Only until the last pages leave Radzen (other branches): their injected services must resolve. Delete with the package.
        builder.Services.AddRadzenComponents();
        return builder;
    }

    public static WebApplication MapPortalUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
