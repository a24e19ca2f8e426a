using MudBlazor;

namespace MtlPortal.Web.Components.Layout;

/// <summary>The one theme of every page, interactive or not, so account pages look like the rest.</summary>
public static class PortalTheme
{
    public static MudTheme Theme { get; } = new()
    {
        // No web font is served (the portal runs offline), so name the system's own UI fonts first.
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"] },
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "240px" },
    };
}
