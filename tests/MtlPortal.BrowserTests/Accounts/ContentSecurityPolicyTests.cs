using MtlPortal.Users;

namespace MtlPortal.BrowserTests.Accounts;

public class PolicyPortal : KestrelPortalFactory
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CreateUserAsync("policy@example.org", [PortalRoles.Contributor, PortalRoles.Reviewer], ["Agents"]);
    }
}

[Collection(BrowserCollection.Name)]
public class ContentSecurityPolicyTests(BrowserFixture browser, PolicyPortal portal) : IClassFixture<PolicyPortal>
{
    [Theory]
    [InlineData("/contribute")]
    [InlineData("/pool")]
    [InlineData("/review")]
    public async Task InteractivePage_UnderTheContentSecurityPolicy_ConnectsWithoutAViolation(string path)
    {
        var errors = new List<string>();
        var page = await browser.Browser.NewPortalPageAsync(portal.ServerAddress, errors);
        await page.SignInAsync("policy@example.org");

        var response = await page.GotoAsync(path);
        await page.WaitForInteractiveAsync();

        Assert.Contains("script-src 'self'", (await response!.AllHeadersAsync())["content-security-policy"]);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
