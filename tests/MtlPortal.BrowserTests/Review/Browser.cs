using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Review;

/// <summary>Steps the review tests share: signing in, and keeping screenshots for people to look at.</summary>
public static class Browser
{
    /// <summary>Where screenshots go: beside the test binaries, overwritten by each run.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task SignInAsync(this IPage page, string email)
    {
        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", PortalFactory.Password);
        await page.ClickAsync("button[type=submit]");
        await Expect(page).Not.ToHaveURLAsync(new Regex("/account/login"));
    }

    /// <summary>
    /// Two screenshots: the window as a reader sees it, and a tall one of the whole page. The layout scrolls inside
    /// its body, not the document, so a full-page screenshot alone would still stop at the window's height.
    /// </summary>
    public static async Task ScreenshotAsync(this IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png") });
        var window = page.ViewportSize;
        await page.SetViewportSizeAsync(window?.Width ?? 1280, 2000);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + "-tall.png") });
        await page.SetViewportSizeAsync(window?.Width ?? 1280, window?.Height ?? 720);
    }
}
