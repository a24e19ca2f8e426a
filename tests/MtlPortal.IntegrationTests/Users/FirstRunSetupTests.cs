using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Users;

namespace MtlPortal.IntegrationTests.Users;

/// <summary>First run: while no admin exists a setup page creates one; afterwards it is gone.</summary>
public class FirstRunSetupTests(FreshPortalFactory portal) : IClassFixture<FreshPortalFactory>
{
    [Fact]
    public async Task SetupPage_CreatesTheFirstAdminOnce_ThenIsGone()
    {
        var client = portal.CreateBrowserlikeClient();
        var login = await client.GetAsync("/account/login");
        Assert.Equal("/setup", login.RedirectTarget());

        var created = await client.SubmitFormAsync("/setup", "setup", new Dictionary<string, string>
        {
            ["Input.Email"] = "first@example.org",
            ["Input.DisplayName"] = "First Admin",
            ["Input.Password"] = PortalFactory.Password,
            ["Input.ConfirmPassword"] = PortalFactory.Password,
        });

        Assert.Equal(System.Net.HttpStatusCode.Redirect, created.StatusCode);
        var home = await client.GetStringAsync("/");
        Assert.Contains("Welcome, First Admin", home);

        var again = await portal.CreateBrowserlikeClient().GetAsync("/setup");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, again.StatusCode);
    }

}

public class FirstAdminRaceTests(FreshPortalFactory portal) : IClassFixture<FreshPortalFactory>
{
    [Fact]
    public async Task CreateFirstAdminAsync_FourAtOnce_OnlyOneSucceeds()
    {
        async Task<bool> TryAsync(int i)
        {
            await using var scope = portal.Services.CreateAsyncScope();
            var admin = scope.ServiceProvider.GetRequiredService<UserAdministration>();
            return (await admin.CreateFirstAdminAsync($"racer{i}@example.org", PortalFactory.Password, null)).Succeeded;
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(TryAsync));

        Assert.Single(results, r => r);
        await using var check = portal.Services.CreateAsyncScope();
        var users = check.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PortalUser>>();
        Assert.Single(await users.GetUsersInRoleAsync(PortalRoles.Admin));
    }
}
