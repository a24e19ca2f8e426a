using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;

namespace MtlPortal.IntegrationTests.Api;

/// <summary>Every endpoint of the agent API, fed malformed bodies: each is refused as the client's fault, never a 5xx.</summary>
public class MalformedBodyFuzzTests(UnthrottledApiPortal portal) : IClassFixture<UnthrottledApiPortal>
{
    private static IEnumerable<(string Name, HttpContent Content)> MalformedBodies()
    {
        static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
        yield return ("empty", Json(""));
        yield return ("invalid JSON", Json("{\"query\": "));
        yield return ("a bare string", Json("\"hello\""));
        yield return ("null", Json("null"));
        yield return ("an array", Json("[1, 2, 3]"));
        yield return ("NUL escapes everywhere", Json("{\"query\": \"\\u0000\", \"kind\": \"insight\\u0000\", \"title\": \"\\u0000\", \"decision\": \"approve\\u0000\", \"outcome\": \"\\u0000\", \"retrievalId\": \"\\u0000\"}"));
        yield return ("lone surrogates everywhere", Json("{\"query\": \"\\ud800\", \"kind\": \"\\udc00\", \"title\": \"\\ud800x\", \"decision\": \"\\ud800\", \"outcome\": \"\\udfff\", \"note\": \"\\ud800\"}"));
        yield return ("a lone surrogate as a property name", Json("{\"\\ud800\": 1}"));
        yield return ("a NUL in a property name", Json("{\"qu\\u0000ery\": \"x\"}"));
        yield return ("deeply nested arrays", Json(new string('[', 100_000) + new string(']', 100_000)));
        yield return ("deeply nested objects", Json(string.Concat(Enumerable.Repeat("{\"a\":", 5_000)) + "1" + new string('}', 5_000)));
        yield return ("huge", Json("{\"query\": \"" + new string('x', 3_000_000) + "\"}"));
        yield return ("invalid UTF-8", new ByteArrayContent([0x7b, 0x22, 0x71, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) { Headers = { ContentType = new("application/json") } });
        yield return ("numbers out of range", Json("{\"query\": \"x\", \"k\": 1e400, \"expectedVersion\": 99999999999999999999, \"minAbstraction\": -1e308}"));
        yield return ("wrong types", Json("{\"query\": 1, \"k\": \"3\", \"kinds\": {}, \"memoryIds\": \"x\", \"retrievalId\": 5, \"steps\": 7, \"tags\": [1, {}]}"));
        yield return ("form data", new FormUrlEncodedContent(new Dictionary<string, string> { ["query"] = "x" }));
        yield return ("no content type", new ByteArrayContent("{\"query\": \"x\"}"u8.ToArray()));
    }

    [Fact]
    public async Task EveryApiEndpoint_MalformedBodies_NeverAnswer5xx()
    {
        var client = await portal.KeyClientAsync(portal.Reviewer1, ApiScopes.MemoriesRead, ApiScopes.MemoriesWrite, ApiScopes.ReviewsWrite, ApiScopes.FeedbackWrite);
        var endpoints = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Path: Concrete(e.RoutePattern.RawText!))))
            .Distinct()
            .ToList();
        Assert.Contains(endpoints, e => e.Method == "POST");

        var failures = new List<string>();
        foreach (var (method, path) in endpoints)
        {
            foreach (var (name, content) in MalformedBodies())
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path + "?kind=%00&cursor=%ED%A0%80&limit=99999999999&updatedSince=%00") { Content = method == "GET" ? null : content };
                using var response = await client.SendAsync(request);
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{method} {path} with {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string Concrete(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, "\\{[^}]+\\}", Guid.NewGuid().ToString());
}

/// <summary>An API portal whose rate limit a fuzz run does not reach, so every request reaches its handler.</summary>
public sealed class UnthrottledApiPortal : ApiPortal
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Api:RateLimit:PermitsPerSecond", "100000");
        builder.UseSetting("Api:RateLimit:Burst", "100000");
    }
}
