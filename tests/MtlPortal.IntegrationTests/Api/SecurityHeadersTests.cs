using System.Net;
using System.Net.Http.Json;
using MtlPortal.Agents;
using MtlPortal.IntegrationTests.Memories;
using MtlPortal.Memories;

namespace MtlPortal.IntegrationTests.Api;

public class SecurityHeadersTests(ApiPortal portal) : IClassFixture<ApiPortal>
{
    [Theory]
    [InlineData("/account/login")]
    [InlineData("/api/v1/memories")]
    [InlineData("/healthz")]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string path)
    {
        var response = await portal.CreateBrowserlikeClient().GetAsync(path);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
        var policy = string.Join("; ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy);
        Assert.Contains("connect-src 'self' ws: wss:", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
    }

    [Fact]
    public async Task OverHttps_HstsIsSent_AndTheAntiforgeryCookieIsSecure()
    {
        var https = portal.CreateBrowserlikeClient();
        https.BaseAddress = new Uri("https://portal.example.org");
        var http = portal.CreateBrowserlikeClient();

        var secure = await https.GetAsync("/account/login");
        var plain = await http.GetAsync("/account/login");

        Assert.StartsWith("max-age=", secure.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        Assert.Contains("secure", AntiforgeryCookie(secure), StringComparison.OrdinalIgnoreCase);
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
        Assert.DoesNotContain("secure", AntiforgeryCookie(plain), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Review_OfARevisionTheCallerMayNotSee_Is404Not403()
    {
        var inReview = await portal.SubmittedAsync(draft: MemoryPortal.Insight("Only team Alpha sees this"));
        var approved = await portal.SubmittedAsync(draft: MemoryPortal.Insight("Approved, then revised by Alpha"));
        Assert.True((await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, approved, ReviewDecision.Approve, null))).Succeeded);
        Assert.True((await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, approved, MemoryPortal.Insight("Alpha's unreleased revision"), submit: true))).Succeeded);
        var outsider = await portal.KeyClientAsync(portal.ForeignReviewer, ApiScopes.ReviewsWrite);

        var first = await outsider.PostAsJsonAsync($"/api/v1/memories/{inReview}/reviews", new { decision = "approve" });
        var second = await outsider.PostAsJsonAsync($"/api/v1/memories/{approved}/reviews", new { decision = "approve" });

        Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
    }

    private static string AntiforgeryCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
}
