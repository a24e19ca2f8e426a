using System.Text.RegularExpressions;
using MtlPortal.Users;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Accounts;

[Collection(BrowserCollection.Name)]
public class UserAdminFlowTests(BrowserFixture browser, KestrelPortalFactory portal) : IClassFixture<KestrelPortalFactory>
{
    [Fact]
    public async Task Admin_RenamesAUserAndResetsTheirPassword_TheNewPasswordSignsInAndTheOldOneNoLonger()
    {
        const string email = "forgetful@example.org";
        await portal.CreateUserAsync(email, [PortalRoles.Contributor], []);
        var errors = new List<string>();
        var admin = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await admin.SignInAsync(PortalFactory.AdminEmail);
        await admin.GotoAsync("/admin/users");
        await admin.WaitForInteractiveAsync();
        var grid = admin.GetByTestId("users-grid");
        var row = grid.GetByRole(AriaRole.Row).Filter(new() { HasText = email });

        // Each row offers Edit; the dialog changes the name.
        await row.GetByRole(AriaRole.Button, new() { Name = $"Edit {email}" }).ClickAsync();
        var dialog = admin.GetByRole(AriaRole.Dialog);
        await dialog.Locator("#edit-name").FillAsync("Fran Forgetful");
        await dialog.GetByTestId("save-user").ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(row).ToContainTextAsync("Fran Forgetful");

        // Reset: confirmed first, then the new password is shown once, with a copy button.
        await row.GetByRole(AriaRole.Button, new() { Name = $"Reset the password of {email}" }).ClickAsync();
        await admin.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Reset password" }).ClickAsync();
        var shown = admin.GetByTestId("new-password");
        var password = (await shown.InnerTextAsync()).Trim();
        Assert.Matches("^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}$", password);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Copy the new password" }).ClickAsync();
        Assert.Equal(password, await admin.EvaluateAsync<string>("navigator.clipboard.readText()"));
        await admin.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(shown).ToHaveCountAsync(0);

        // The old password no longer works; the new one does.
        var user = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await user.GotoAsync("/account/login");
        await Expect(user.GetByTestId("forgot-password")).ToContainTextAsync("Ask an admin");
        await user.FillAsync("#email", email);
        await user.FillAsync("#password", PortalFactory.Password);
        await user.ClickAsync("button[type=submit]");
        await Expect(user.GetByTestId("login-error")).ToContainTextAsync("The email or password is wrong.");
        await user.SignInAsync(email, password);
        await Expect(user.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Fran Forgetful" })).ToBeVisibleAsync();
        await Expect(user).Not.ToHaveURLAsync(new Regex("/account/login"));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
