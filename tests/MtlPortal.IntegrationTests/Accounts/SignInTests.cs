using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Users;

namespace MtlPortal.IntegrationTests.Accounts;

public class SignInTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task SignIn_RightPassword_RedirectsToTheReturnUrl()
    {
        await portal.CreateUserAsync("reviewer@example.org", PortalRoles.Reviewer);
        var client = portal.CreateBrowserlikeClient();

        var response = await client.SubmitFormAsync("/account/login?returnUrl=/review", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = "reviewer@example.org",
            ["Input.Password"] = PortalFactory.Password,
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/review", response.RedirectTarget());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/review")).StatusCode);
    }

    [Fact]
    public async Task SignIn_ReturnUrlOnAnotherSite_GoesHomeInstead()
    {
        await portal.CreateUserAsync("phished@example.org", PortalRoles.Contributor);
        var client = portal.CreateBrowserlikeClient();

        var response = await client.SubmitFormAsync("/account/login?returnUrl=//evil.example", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = "phished@example.org",
            ["Input.Password"] = PortalFactory.Password,
        });

        Assert.Equal("/", response.RedirectTarget());
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswords_LocksTheAccountEvenForTheRightOne()
    {
        await portal.CreateUserAsync("guessed@example.org", PortalRoles.Contributor);
        var client = portal.CreateBrowserlikeClient();

        for (var i = 0; i < 4; i++)
        {
            var wrong = await client.SignInAsync("guessed@example.org", "Wrong-password-1");
            Assert.Contains("The email or password is wrong.", await wrong.Content.ReadAsStringAsync());
        }

        var fifth = await client.SignInAsync("guessed@example.org", "Wrong-password-1");
        var right = await client.SignInAsync("guessed@example.org");

        // Locked out, the right password fails too, with the same words as a wrong one: they must not confirm the account.
        Assert.Contains("The email or password is wrong.", await fifth.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("The email or password is wrong.", await right.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SignIn_DisabledUser_IsToldTheAccountIsDisabled()
    {
        var userId = await portal.CreateUserAsync("gone@example.org", PortalRoles.Contributor);
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetDisabledAsync(userId, true, "[test]");
        }

        var response = await portal.CreateBrowserlikeClient().SignInAsync("gone@example.org");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("This account is disabled.", await response.Content.ReadAsStringAsync());
    }

    // Every area's gate in one place: the pages of each feature are only reached through these.
    [Theory]
    [InlineData(PortalRoles.Contributor, "/contribute", HttpStatusCode.OK)]
    [InlineData(PortalRoles.Manager, "/contribute", HttpStatusCode.Redirect)]
    [InlineData(PortalRoles.Contributor, "/pool", HttpStatusCode.OK)]
    [InlineData(PortalRoles.Manager, "/dashboards", HttpStatusCode.OK)]
    [InlineData(PortalRoles.Contributor, "/review", HttpStatusCode.Redirect)]
    [InlineData(PortalRoles.Manager, "/review", HttpStatusCode.Redirect)]
    [InlineData(PortalRoles.Reviewer, "/review", HttpStatusCode.OK)]
    [InlineData(PortalRoles.Admin, "/review", HttpStatusCode.OK)]
    [InlineData(PortalRoles.Contributor, "/memories/mine", HttpStatusCode.OK)]
    [InlineData(PortalRoles.Reviewer, "/memories/mine", HttpStatusCode.Redirect)]
    [InlineData(PortalRoles.Admin, "/memories/mine", HttpStatusCode.OK)]
    [InlineData(PortalRoles.Contributor, "/admin/users", HttpStatusCode.Redirect)]
    [InlineData(PortalRoles.Admin, "/admin/users", HttpStatusCode.OK)]
    [InlineData(PortalRoles.Contributor, "/admin/settings", HttpStatusCode.Redirect)]
    [InlineData(PortalRoles.Reviewer, "/admin/settings", HttpStatusCode.Redirect)]
    [InlineData(PortalRoles.Admin, "/admin/settings", HttpStatusCode.OK)]
    public async Task Areas_AreOpenOnlyToTheirRoles(string role, string path, HttpStatusCode expected)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.org";
        await portal.CreateUserAsync(email, role);
        var client = portal.CreateBrowserlikeClient();
        await client.SignInAsync(email);

        var response = await client.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Redirect)
        {
            Assert.StartsWith("/account/access-denied", response.RedirectTarget());
        }
    }

    [Fact]
    public async Task ChangePassword_WithTheCurrentPassword_TheNewOneSignsInAndTheOldOneNoLonger()
    {
        await portal.CreateUserAsync("changer@example.org", PortalRoles.Contributor);
        var client = portal.CreateBrowserlikeClient();
        await client.SignInAsync("changer@example.org");

        var wrong = await client.SubmitFormAsync("/account/change-password", "change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = "Not-the-password-1",
            ["Input.NewPassword"] = "Brand-New-Secret-7",
            ["Input.ConfirmPassword"] = "Brand-New-Secret-7",
        });
        var changed = await client.SubmitFormAsync("/account/change-password", "change-password", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = PortalFactory.Password,
            ["Input.NewPassword"] = "Brand-New-Secret-7",
            ["Input.ConfirmPassword"] = "Brand-New-Secret-7",
        });

        Assert.Contains("The current password is wrong.", await wrong.Content.ReadAsStringAsync());
        Assert.Contains("Your password was changed.", await changed.Content.ReadAsStringAsync());
        Assert.Contains("The email or password is wrong.", await (await portal.CreateBrowserlikeClient().SignInAsync("changer@example.org")).Content.ReadAsStringAsync());
        Assert.Equal("/", (await portal.CreateBrowserlikeClient().SignInAsync("changer@example.org", "Brand-New-Secret-7")).RedirectTarget());
    }

    [Fact]
    public async Task Home_Anonymous_RedirectsToSignIn()
    {
        var response = await portal.CreateBrowserlikeClient().GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.RedirectTarget());
    }

    [Fact]
    public async Task Healthz_WithTheDatabaseUp_IsHealthy()
    {
        var response = await portal.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}
