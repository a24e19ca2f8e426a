using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Settings;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Review;

// A class (and so a portal) of its own: the settings it saves would change how the other tests' reviews go.
[Collection(BrowserCollection.Name)]
public class ReviewSettingsPageTests(BrowserFixture browser, ReviewPortal portal) : IClassFixture<ReviewPortal>
{
    [Fact]
    public async Task Admin_SeesAnInvalidThresholdBesideTheField_ThenSavesValidSettings()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync(PortalFactory.AdminEmail);
        await page.GotoAsync("/admin/users");

        // A click sent while the page's circuit is still connecting can be lost (see STACK.md).
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Review settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review settings" })).ToBeVisibleAsync();
        await page.WaitForInteractiveAsync();

        var form = page.GetByTestId("settings-form");
        await form.Locator("#duplicate-threshold").FillAsync("0.2");
        await form.Locator("#duplicate-threshold").PressAsync("Tab");
        await page.GetByTestId("save-settings").ClickAsync();
        await Expect(form.Locator(".mud-input-helper-text.mud-input-error")).ToHaveTextAsync("A similarity between 0.5 and 1.");
        await page.ScreenshotAsync("admin-settings-invalid");

        await form.Locator("#duplicate-threshold").FillAsync("0.85");
        await form.Locator("#duplicate-threshold").PressAsync("Tab");
        await form.Locator("#required-approvals").FillAsync("2");
        await form.Locator("#required-approvals").PressAsync("Tab");
        await form.GetByText("Refuse to submit insights below the minimum").ClickAsync();
        await page.GetByTestId("save-settings").ClickAsync();

        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Review settings saved");
        await Expect(form.Locator(".mud-input-helper-text.mud-input-error")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("last-change")).ToBeVisibleAsync();
        await page.ScreenshotAsync("admin-settings");
        await using var db = await portal.DbAsync();
        var saved = await portal.Services.GetRequiredService<ReviewSettingsStore>().GetAsync();
        Assert.Equal(new ReviewSettings(2, ReviewSettings.Defaults.MinInsightAbstraction, true, 0.85), saved);
        Assert.Contains(db.AuditEntries, e => e.Action == "settings.review-changed" && e.Actor == portal.AdminId);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
