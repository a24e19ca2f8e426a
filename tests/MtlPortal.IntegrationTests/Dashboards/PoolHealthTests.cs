using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Dashboards;
using MtlPortal.Memories;

namespace MtlPortal.IntegrationTests.Dashboards;

/// <summary>Pool health of the scenario's pool: two insights, from domain-a and domain-b.</summary>
[Collection(ImpactScenario.Collection)]
public sealed class PoolHealthTests(ImpactScenario portal)
{
    [Fact]
    public async Task TwoInsightsFromTwoDomains_EachHasTheOtherAsItsOnlyNeighbour_SoLisiIsOneAndNoneOfItsOwnDomain()
    {
        var report = await portal.Services.GetRequiredService<PoolHealthService>().GetAsync(refresh: true);

        Assert.Equal(2, report.Memories);
        var insights = Assert.Single(report.Kinds);
        Assert.Equal((MemoryKind.Insight, 2, 2), (insights.Kind, insights.Count, insights.Domains));
        Assert.Equal(1.0, insights.MeanLisi);
        Assert.NotNull(insights.DaviesBouldin);
        Assert.Equal(2, insights.Scatter.Count);
        var mixing = report.Mixing[portal.Helpful];
        Assert.Equal((1.0, 0.0, 1, 2), (mixing.Lisi, mixing.OwnDomainShare, mixing.Neighbours, mixing.DomainsInKind));
        Assert.Equal([new NamedCount("domain-a", 1), new NamedCount("domain-b", 1)], report.ByDomain.OrderBy(c => c.Name));
        // The benchmark's domain has no insight at all; the two source domains have one each.
        Assert.Equal(new NamedCount("toy-python", 0), report.FewInsights[0]);
        // The run retrieved both: neither is "never retrieved".
        Assert.Equal(0, report.SinceRetrieval.Single(b => b.Name == "never").Count);
    }

    [Fact]
    public async Task PoolHealthApi_ReturnsTheFiguresThePageShows()
    {
        var client = await portal.KeyClientAsync(portal.Manager, ApiScopes.MemoriesRead);
        var api = JsonDocument.Parse(await client.GetStringAsync("/api/v1/pool/health")).RootElement;
        var browser = portal.CreateBrowserlikeClient();
        await browser.SignInAsync("manager@example.org");
        var page = await browser.GetStringAsync("/dashboards/pool");

        var insight = api.GetProperty("kinds")[0];
        Assert.Equal("insight", insight.GetProperty("kind").GetString());
        Assert.Equal(insight.GetProperty("daviesBouldin").GetDouble().ToString("0.00", CultureInfo.InvariantCulture), MemoryImpactTests.Text(page, "kind-dbi"));
        Assert.StartsWith(insight.GetProperty("meanLisi").GetDouble().ToString("0.00", CultureInfo.InvariantCulture), MemoryImpactTests.Text(page, "kind-lisi"), StringComparison.Ordinal);
        Assert.Contains($"from {api.GetProperty("memories").GetInt32()} approved memories", MemoryImpactTests.Text(page, "health-freshness"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemoryPage_ShowsItsOwnDomainMixing()
    {
        var browser = portal.CreateBrowserlikeClient();
        await browser.SignInAsync("manager@example.org");

        var page = await browser.GetStringAsync($"/memories/{portal.Harmful}");

        Assert.Contains("data-lisi=\"1\"", page, StringComparison.Ordinal);
        Assert.Contains("Domain mixing 1.00", MemoryImpactTests.Text(page, "domain-mixing"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PoolHealthApi_WithoutAKey_IsRefused() =>
        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.CreateClient().GetAsync("/api/v1/pool/health")).StatusCode);
}
