namespace MtlPortal.BrowserTests;

public static class PageExtensions
{
    /// <summary>
    /// Waits until the page's Blazor circuit is connected: clicks sent before that are lost. The layout renders
    /// the marker only when it runs interactively.
    /// </summary>
    public static Task WaitForInteractiveAsync(this IPage page) =>
        page.Locator("[data-testid=interactive]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = 15_000 });

    /// <summary>
    /// A new browser context (its own cookies) with a page. <paramref name="errors"/> collects script errors,
    /// console errors and failed responses (with their addresses), for the test to assert there were none.
    /// </summary>
    public static Task<IPage> NewPortalPageAsync(this IBrowser browser, Uri baseAddress, List<string> errors) =>
        browser.NewPortalPageAsync(baseAddress, errors, new ViewportSize { Width = 1440, Height = 1000 });

    /// <summary>A phone's screen: the width the portal must stay usable at.</summary>
    public static ViewportSize Phone { get; } = new() { Width = 390, Height = 844 };

    /// <summary>As above, in a window of <paramref name="viewport"/>'s size, and allowed to use the clipboard.</summary>
    public static async Task<IPage> NewPortalPageAsync(this IBrowser browser, Uri baseAddress, List<string> errors, ViewportSize viewport)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = viewport,
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            // A failed resource is reported by the Response handler below, with its address.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                errors.Add($"{response.Status} {response.Request.Method} {response.Url}");
            }
        };
        return page;
    }

    /// <summary>Signs in through the login form and waits for the home page's circuit.</summary>
    public static async Task SignInAsync(this IPage page, string email, string password = PortalFactory.Password)
    {
        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        await page.GetByTestId("signed-in-as").WaitForAsync();
    }

    /// <summary>Where screenshots go: beside the test binaries, overwritten by each run. For people to look at; never asserted on.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

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
