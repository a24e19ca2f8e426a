using Microsoft.AspNetCore.Authorization;
using MtlPortal.Users;
using MudBlazor;

namespace MtlPortal.Web.Accounts;

/// <summary>One area of the portal: where it lives, its MudBlazor icon (SVG), and which roles may use it.</summary>
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
    public const string ImpactPolicy = "area:impact";
    public const string TransferPolicy = "area:transfer";
    public const string AdminPolicy = "area:admin";

    public static IReadOnlyList<PortalArea> All { get; } =
    [
        new("Pool", "pool", Icons.Material.Filled.Inventory2, PoolPolicy, PortalRoles.All),
        new("Contribute", "contribute", Icons.Material.Filled.EditNote, ContributePolicy, [PortalRoles.Contributor, PortalRoles.Admin]),
        new("My memories", "memories/mine", Icons.Material.Filled.FolderShared, ContributePolicy, [PortalRoles.Contributor, PortalRoles.Admin]),
        new("Trajectories", "trajectories", Icons.Material.Filled.Timeline, ContributePolicy, [PortalRoles.Contributor, PortalRoles.Admin]),
        new("Import and export", "memories/transfer", Icons.Material.Filled.SwapVert, TransferPolicy, PortalRoles.All),
        new("Review queue", "review", Icons.Material.Filled.FactCheck, ReviewPolicy, [PortalRoles.Reviewer, PortalRoles.Admin]),
        new("Benchmarks", "benchmarks", Icons.Material.Filled.Quiz, RunsPolicy, PortalRoles.All),
        new("Runs", "runs", Icons.Material.Filled.PlayCircle, RunsPolicy, PortalRoles.All),
        new("Dashboards", "dashboards", Icons.Material.Filled.QueryStats, DashboardsPolicy, [PortalRoles.Manager, PortalRoles.Admin]),
        // Reviewers act on the evidence (send a harmful memory back to review), so it has its own entry beside Dashboards.
        new("Memory impact", "dashboards/impact", Icons.Material.Filled.TrendingDown, ImpactPolicy, [PortalRoles.Reviewer, PortalRoles.Manager, PortalRoles.Admin]),
        new("API", "api-docs", Icons.Material.Filled.Api, PoolPolicy, PortalRoles.All),
        new("Admin", "admin/users", Icons.Material.Filled.AdminPanelSettings, AdminPolicy, [PortalRoles.Admin]),
    ];

    /// <summary>One policy per area: the signed-in user needs one of the area's roles.</summary>
    public static AuthorizationBuilder AddAreaPolicies(this AuthorizationBuilder authorization)
    {
        foreach (var area in All)
        {
            authorization.AddPolicy(area.Policy, p => p.RequireAuthenticatedUser().RequireRole(area.Roles));
        }

        return authorization;
    }
}
