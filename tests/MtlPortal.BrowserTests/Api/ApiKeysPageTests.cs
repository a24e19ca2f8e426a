using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using MtlPortal.Users;
using static Microsoft.Playwright.Assertions;

namespace MtlPortal.BrowserTests.Api;

public class KeysPortal : KestrelPortalFactory
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CreateUserAsync("agent.owner@example.org", [PortalRoles.Contributor], ["Agents"]);
    }
}

[Collection(BrowserCollection.Name)]
public class ApiKeysPageTests(BrowserFixture browser, KeysPortal portal) : IClassFixture<KeysPortal>
{
    [Fact]
    public async Task User_CreatesAKeyThatWorksOnce_SeesItsSecretOnce_AndRevokesIt()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("agent.owner@example.org");

        // A click sent while the home page's circuit is still connecting can be lost (see STACK.md).
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "API keys" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API keys" })).ToBeVisibleAsync();

        // A contributor is offered only the scopes the role can use.
        var form = page.GetByTestId("new-key-form");
        await Expect(form.GetByText("memories:write", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(form.GetByText("reviews:write", new() { Exact = true })).ToHaveCountAsync(0);

        await form.Locator("#key-name").FillAsync("laptop agent");
        await page.GetByTestId("create-key").ClickAsync();
        var secret = (await page.GetByTestId("secret").InnerTextAsync()).Trim();
        Assert.StartsWith("mtl_", secret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy the secret" }).ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Copied");
        Assert.Equal(secret, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
        await Expect(page.GetByTestId("keys-grid")).ToContainTextAsync("laptop agent");

        // The secret works against the running portal, exactly as the page's curl example sends it.
        using var client = new HttpClient { BaseAddress = portal.ServerAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var search = await client.PostAsJsonAsync("/api/v1/memories/search", new { query = "fix a failing test", k = 3 });
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Contains("promptBlock", await search.Content.ReadAsStringAsync());

        // Shown once: after a reload only the prefix remains.
        await page.ReloadAsync();
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("new-secret")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("keys-grid")).ToContainTextAsync(secret[..12]);
        await Expect(page.GetByTestId("keys-grid")).Not.ToContainTextAsync(secret[12..]);

        await page.GetByTestId("revoke").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(page.GetByTestId("keys-grid")).ToContainTextAsync("revoked");
        var afterRevoke = await client.PostAsJsonAsync("/api/v1/memories/search", new { query = "fix a failing test" });
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task ApiPage_ShowsCopyPasteExamplesForThisPortal()
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("agent.owner@example.org");
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Portal areas" }).GetByText("API", new() { Exact = true }).ClickAsync();

        await Expect(page.GetByTestId("api-base")).ToHaveTextAsync(portal.ServerAddress.ToString().TrimEnd('/') + "/api/v1");
        await Expect(page.GetByTestId("search-example")).ToContainTextAsync("/api/v1/memories/search");
        await Expect(page.GetByTestId("search-example")).ToContainTextAsync("Authorization: Bearer $MTL_API_KEY");

        // The copy button puts the example on the clipboard exactly as shown, and says so.
        var shown = await page.GetByTestId("search-example").InnerTextAsync();
        await page.Locator(".copyable").Filter(new() { Has = page.GetByTestId("search-example") }).GetByRole(AriaRole.Button, new() { Name = "Copy the command" }).ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Copied");
        Assert.Equal(shown.Trim(), (await page.EvaluateAsync<string>("navigator.clipboard.readText()")).Trim());
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
