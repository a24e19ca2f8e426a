using MtlPortal.Dashboards;

namespace MtlPortal.Web.Dashboards;

public static class DashboardsHosting
{
    /// <summary>Run comparisons and external results for the pages and the API.</summary>
    public static WebApplicationBuilder AddPortalDashboards(this WebApplicationBuilder builder)
    {
        builder.Services.AddPortalDashboards();
        return builder;
    }
}
