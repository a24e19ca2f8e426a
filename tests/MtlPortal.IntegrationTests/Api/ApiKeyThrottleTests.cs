using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using MtlPortal.Agents;

namespace MtlPortal.IntegrationTests.Api;

public class ApiKeyThrottleTests(ThrottledFailuresApiPortal portal) : IClassFixture<ThrottledFailuresApiPortal>
{
    [Fact]
    public async Task GuessingKeys_FromOneAddress_Gets429WithRetryAfter_AfterAFewFailures()
    {
        var guesser = portal.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            guesser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"mtl_guess-{i}");
            var response = await guesser.PostAsJsonAsync("/api/v1/memories/search", new { query = "x" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without Retry-After.");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 3), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
    }
}

/// <summary>An API portal that allows three failed authentications per address and minute.</summary>
public sealed class ThrottledFailuresApiPortal : ApiPortal
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Api:FailedAuthentication:MaxPerMinute", "3");
    }
}
