using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Users;
using MtlPortal.Web.Accounts;
using MtlPortal.Web.Components.Layout;

namespace MtlPortal.ComponentTests.Layout;

public class NavMenuTests : MudTestContext
{
    private static readonly string[] EveryArea = ["Home", .. PortalAreas.All.Select(a => a.Title)];

    [Theory]
    [InlineData(PortalRoles.Contributor, new[] { "Home", "Pool", "Contribute", "My memories", "Trajectories", "Import and export", "Benchmarks", "Runs", "API" })]
    [InlineData(PortalRoles.Reviewer, new[] { "Home", "Pool", "Import and export", "Review queue", "Benchmarks", "Runs", "Memory impact", "API" })]
    [InlineData(PortalRoles.Manager, new[] { "Home", "Pool", "Import and export", "Benchmarks", "Runs", "Dashboards", "Memory impact", "API" })]
    [InlineData(PortalRoles.Admin, new[] { "Home", "Pool", "Contribute", "My memories", "Trajectories", "Import and export", "Review queue", "Benchmarks", "Runs", "Dashboards", "Memory impact", "API", "Admin" })]
    public void EachRoleSeesExactlyItsAreas(string role, string[] expected)
    {
        var nav = RenderFor(role);

        var shown = nav.FindAll("a.mud-nav-link").Select(a => a.TextContent.Trim()).ToArray();
        Assert.Equal(expected, shown);
        Assert.All(EveryArea.Except(expected), hidden => Assert.DoesNotContain(hidden, shown));
    }

    [Fact]
    public void EachLinkPointsAtItsArea()
    {
        var nav = RenderFor(PortalRoles.Admin);

        var links = nav.FindAll("a.mud-nav-link").ToDictionary(a => a.TextContent.Trim(), a => a.GetAttribute("href"));
        Assert.Equal("admin/users", links["Admin"]);
        Assert.Equal("review", links["Review queue"]);
        Assert.Equal("api-docs", links["API"]);
    }

    [Theory]
    [InlineData("dashboards/impact", "Memory impact")]
    [InlineData("dashboards/runs/0198c3a0-0000-7000-8000-000000000001", "Dashboards")]
    [InlineData("dashboards", "Dashboards")]
    [InlineData("runs/new", "Runs")]
    public void OnlyTheAreaOfThePageIsHighlighted(string page, string expected)
    {
        var nav = RenderFor(PortalRoles.Admin, page);

        var active = nav.FindAll("a.mud-nav-link.active").Select(a => a.TextContent.Trim()).ToArray();
        Assert.Equal([expected], active);
    }

    private IRenderedComponent<NavMenu> RenderFor(string role, string? page = null)
    {
        // The portal's real policies, not a stand-in: the test checks the roles each area admits.
        Services.AddAuthorizationBuilder().AddAreaPolicies();
        Services.AddTransient<IAuthorizationService, DefaultAuthorizationService>();
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "someone@example.org"), new Claim(ClaimTypes.Role, role)], "test"));
        Services.AddSingleton<AuthenticationStateProvider>(new FixedUser(user));
        Services.AddCascadingAuthenticationState();
        if (page is not null)
        {
            Services.GetRequiredService<NavigationManager>().NavigateTo(page);
        }

        return Render<NavMenu>();
    }

    private sealed class FixedUser(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}
