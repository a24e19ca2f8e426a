using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Accounts;

public class FreshKestrelPortal : KestrelPortalFactory
{
    protected override bool SeedAdmin => false;
}

[Collection(BrowserCollection.Name)]
public class FirstRunFlowTests(BrowserFixture browser, FreshKestrelPortal portal) : IClassFixture<FreshKestrelPortal>
{
    private const string AdminEmail = "root@example.org";
    private const string ContributorEmail = "carla@example.org";

    [Fact]
    public async Task Setup_ThenAdminCreatesContributor_WhoSeesOnlyWhatTheRoleAllows()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);

        // First run: any page leads to the one-time setup page.
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/setup$"));
        await page.FillAsync("#email", AdminEmail);
        await page.FillAsync("#display-name", "Root Admin");
        await page.FillAsync("#password", PortalFactory.Password);
        await page.FillAsync("#confirm", PortalFactory.Password);
        await page.ClickAsync("button[type=submit]");

        // The new admin is signed in and sees the admin's attention card and the Admin area.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Root Admin" })).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("attention-admin")).ToBeVisibleAsync();

        // Create a contributor in the admin UI.
        await page.GetByRole(AriaRole.Link, new() { Name = "Admin" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users" })).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();
        var form = page.GetByTestId("new-user-form");
        await form.Locator("#new-email").FillAsync(ContributorEmail);
        await form.Locator("#new-name").FillAsync("Carla");
        await form.Locator("#new-password").FillAsync(PortalFactory.Password);
        await form.GetByText("Contributor", new() { Exact = true }).ClickAsync();
        await page.GetByTestId("create-user").ClickAsync();
        var grid = page.GetByTestId("users-grid");
        await Expect(grid.GetByRole(AriaRole.Row).Filter(new() { HasText = ContributorEmail })).ToContainTextAsync("Contributor");

        // The setup page is gone for good.
        var setup = await page.GotoAsync("/setup");
        Assert.Equal(404, setup!.Status);
        errors.Remove($"404 GET {setup.Url}");

        // Sign out; the contributor signs in.
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/login"));
        await page.FillAsync("#email", ContributorEmail);
        await page.FillAsync("#password", PortalFactory.Password);
        await page.ClickAsync("button[type=submit]");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Carla" })).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();

        // The contributor's navigation holds only the contributor's areas.
        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Portal areas" });
        await Expect(nav.GetByText("Pool", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(nav.GetByText("Contribute", new() { Exact = true })).ToBeVisibleAsync();
        foreach (var hidden in new[] { "Review queue", "Dashboards", "Admin" })
        {
            await Expect(nav.GetByText(hidden, new() { Exact = true })).ToHaveCountAsync(0);
        }

        await Expect(page.GetByTestId("attention-contribute")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("attention-admin")).ToHaveCountAsync(0);

        // Typing an admin address by hand does not get past authorization.
        await page.GotoAsync("/admin/users");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
