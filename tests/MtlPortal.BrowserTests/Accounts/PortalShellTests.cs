using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Users;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Accounts;

public class ShellPortal : KestrelPortalFactory
{
    public const string ContributorEmail = "cora.contributor@example.org";
    public const string KeyName = "build server agent for the nightly run";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var cora = await CreateUserAsync(ContributorEmail, [PortalRoles.Contributor], ["Search"]);
        var key = await Services.GetRequiredService<ApiKeyService>()
            .CreateAsync(cora, KeyName, [ApiScopes.MemoriesRead, ApiScopes.MemoriesWrite, ApiScopes.FeedbackWrite], 90, cora);
        Assert.True(key.Succeeded);
    }
}

/// <summary>The frame around every page: navigation, theme, headings, fonts, the 404 page, on a wide screen and a phone.</summary>
[Collection(BrowserCollection.Name)]
public class PortalShellTests(BrowserFixture browser, ShellPortal portal) : IClassFixture<ShellPortal>
{
    [Fact]
    public async Task OnAPhone_TheNavigationOpensBehindTheMenuButton_AndLeadsToEachArea()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors, PageExtensions.Phone);
        await page.SignInAsync(ShellPortal.ContributorEmail);
        await page.WaitForInteractiveAsync();

        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Portal areas" });
        var api = nav.GetByRole(AriaRole.Link, new() { Name = "API", Exact = true });
        await Expect(api).Not.ToBeInViewportAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Open navigation" }).ClickAsync();
        await Expect(api).ToBeInViewportAsync();
        await api.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Agent API" })).ToBeVisibleAsync();
        await Expect(api).Not.ToBeInViewportAsync();

        // The account's own links live in the drawer on a phone.
        await page.GetByRole(AriaRole.Button, new() { Name = "Open navigation" }).ClickAsync();
        await page.GetByRole(AriaRole.Complementary).GetByRole(AriaRole.Link, new() { Name = "API keys" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API keys" })).ToBeVisibleAsync();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task OnAPhone_TheApiKeysTableShowsEachKeysNameAndScopes_WithRevokeOnScreen()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors, PageExtensions.Phone);
        await page.SignInAsync(ShellPortal.ContributorEmail);
        await page.GotoAsync("/keys");
        await page.WaitForInteractiveAsync();

        var grid = page.GetByTestId("keys-grid");
        var name = grid.GetByText(ShellPortal.KeyName);
        await Expect(name).ToBeVisibleAsync();
        var nameBox = await name.BoundingBoxAsync();
        Assert.True(nameBox is { Width: > 100 }, $"The key's name is drawn {nameBox?.Width} px wide.");
        await Expect(grid.GetByText("memories:read, memories:write, feedback:write")).ToBeVisibleAsync();

        var revoke = grid.GetByRole(AriaRole.Button, new() { Name = $"Revoke {ShellPortal.KeyName}" });
        await revoke.ScrollIntoViewIfNeededAsync();
        var box = await revoke.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= PageExtensions.Phone.Width, $"Revoke is at x={box.X}..{box.X + box.Width}, outside the {PageExtensions.Phone.Width} px screen.");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task AccountPagesUseTheSameFontAsThePortal()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.GotoAsync("/account/login");
        var signInFont = await FontOfAsync(page, "h1");
        var fieldFont = await FontOfAsync(page, "#email");

        await page.SignInAsync(ShellPortal.ContributorEmail);
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        var portalFont = await FontOfAsync(page, "h1");

        Assert.Equal(portalFont, signInFont);
        Assert.Equal(portalFont, fieldFont);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task AfterNavigation_TheHeadingHasFocusForScreenReaders_WithoutADrawnOutline()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync(ShellPortal.ContributorEmail);
        await page.WaitForInteractiveAsync();

        // By keyboard, as a keyboard user (or the review queue's shortcuts) would: that is when browsers draw focus rings.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Portal areas" }).GetByRole(AriaRole.Link, new() { Name = "API", Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var heading = page.GetByRole(AriaRole.Heading, new() { Name = "Agent API" });
        await Expect(heading).ToBeFocusedAsync();
        var outline = await heading.EvaluateAsync<string>("h => { const s = getComputedStyle(h); return s.outlineStyle + ' ' + s.outlineWidth; }");
        Assert.StartsWith("none", outline);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task AnUnknownAddress_ShowsANotFoundPageInThePortal_WithAWayHome()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync(ShellPortal.ContributorEmail);

        var response = await page.GotoAsync("/there/is/nothing/here");
        Assert.Equal(404, response!.Status);
        errors.Remove($"404 GET {response.Url}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Portal areas" })).ToBeVisibleAsync();

        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the home page" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, cora.contributor" })).ToBeVisibleAsync();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task TheDarkTheme_IsRememberedAfterAReload_AndOnTheSignInPage()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync(ShellPortal.ContributorEmail);
        await page.WaitForInteractiveAsync();
        Assert.False(await IsDarkAsync(page));

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to the dark theme" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Switch to the light theme" })).ToBeVisibleAsync();
        Assert.True(await IsDarkAsync(page));

        await page.ReloadAsync();
        Assert.True(await IsDarkAsync(page));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/login"));
        Assert.True(await IsDarkAsync(page));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task EveryShellPage_FitsAPhoneScreen_AndIsPhotographedWideAndNarrow()
    {
        string[] pages = ["/", "/admin/users", "/admin/teams", "/admin/settings", "/admin/embeddings", "/keys", "/api-docs", "/runs", "/dashboards", "/account/change-password", "/no/such/page"];
        foreach (var (viewport, suffix) in new[] { (new ViewportSize { Width = 1400, Height = 900 }, "1400"), (PageExtensions.Phone, "390") })
        {
            var errors = new List<string>();
            var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors, viewport);
            await page.GotoAsync("/account/login");
            await page.ScreenshotAsync($"shell-login-{suffix}");
            await page.SignInAsync(PortalFactory.AdminEmail);
            foreach (var path in pages)
            {
                await page.GotoAsync(path);
                await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).WaitForAsync();
                if (path != "/account/change-password")
                {
                    await page.WaitForInteractiveAsync();
                }

                await Expect(page.Locator(".mud-table-loading-progress")).ToHaveCountAsync(0);
                var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
                Assert.True(overflow <= 0, $"{path} is {overflow} px wider than a {viewport.Width} px screen.");
                await page.ScreenshotAsync($"shell{(path == "/" ? "-home" : path.Replace('/', '-'))}-{suffix}");
            }

            await page.GetByRole(AriaRole.Button, new() { Name = "Switch to the dark theme" }).ClickAsync();
            await page.GotoAsync("/admin/users");
            await page.GetByTestId("users-grid").GetByText(ShellPortal.ContributorEmail).WaitForAsync();
            await page.ScreenshotAsync($"shell-admin-users-dark-{suffix}");
            errors.RemoveAll(e => e.StartsWith("404 GET", StringComparison.Ordinal) && e.Contains("/no/such/page", StringComparison.Ordinal));
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
    }

    private static Task<string> FontOfAsync(IPage page, string selector) =>
        page.Locator(selector).First.EvaluateAsync<string>("e => getComputedStyle(e).fontFamily");

    // Dark when the page's background is darker than mid-grey.
    private static async Task<bool> IsDarkAsync(IPage page)
    {
        var rgb = await page.EvaluateAsync<int[]>("() => getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)");
        return rgb.Sum() < 3 * 128;
    }
}
