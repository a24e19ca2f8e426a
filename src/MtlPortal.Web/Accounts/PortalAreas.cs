using MtlPortal.Users;

namespace MtlPortal.Web.Accounts;

/// <summary>One area of the portal: where it lives, and which roles may use it.</summary>
public sealed record PortalArea(string Title, string Href, string Icon, string Policy, IReadOnlyList<string> Roles);

/// <summary>
/// The portal's areas and who may use each: the single source for both the navigation and the authorization
/// policies that guard the pages, so the two cannot disagree.
/// </summary>
public static class PortalAreas
{
    public const string PoolPolicy = "area:pool";
    public const string ContributePolicy = "area:contribute";
    public const string ReviewPolicy = "area:review";
    public const string RunsPolicy = "area:runs";
    public const string DashboardsPolicy = "area:dashboards";
    public const string TransferPolicy = "area:transfer";
    public const string AdminPolicy = "area:admin";

    public static IReadOnlyList<PortalArea> All { get; } =
    [
        new("Pool", "pool", "inventory_2", PoolPolicy, PortalRoles.All),
        new("Contribute", "contribute", "edit_note", ContributePolicy, [PortalRoles.Contributor, PortalRoles.Admin]),
        new("My memories", "memories/mine", "folder_shared", ContributePolicy, [PortalRoles.Contributor, PortalRoles.Admin]),
        new("Import and export", "memories/transfer", "swap_vert", TransferPolicy, PortalRoles.All),
        new("Review queue", "review", "fact_check", ReviewPolicy, [PortalRoles.Reviewer, PortalRoles.Admin]),
        new("Runs", "runs", "play_circle", RunsPolicy, [PortalRoles.Manager, PortalRoles.Admin]),
        new("Dashboards", "dashboards", "monitoring", DashboardsPolicy, [PortalRoles.Manager, PortalRoles.Admin]),
        new("API", "api-docs", "api", PoolPolicy, PortalRoles.All),
        new("Admin", "admin/users", "admin_panel_settings", AdminPolicy, [PortalRoles.Admin]),
    ];
}
