using MtlPortal.Memories;
using MtlPortal.Web.Components.Pool;

namespace MtlPortal.ComponentTests.Pool;

public class PoolFiltersTests : MudTestContext
{
    private static readonly TeamOption Search = new(Guid.CreateVersion7(), "Search");
    private static readonly TeamOption Billing = new(Guid.CreateVersion7(), "Billing");
    private static readonly PoolFacets Facets = new(["humaneval-x", "swe-bench"], [Billing, Search], ["gpt-5-mini"], ["dates", "testing"]);

    private IRenderedComponent<PoolFiltersHost> RenderFilters(PoolFilter? filter = null) => Render<PoolFiltersHost>(p => p
        .Add(c => c.Facets, Facets)
        .Add(c => c.Filter, filter ?? PoolFilter.None));

    private static void Choose(IRenderedComponent<PoolFiltersHost> page, string select, string option)
    {
        page.Find($"[data-testid={select}] .mud-input-control").MouseDown();
        page.WaitForAssertion(() => Assert.Contains(page.FindAll(".mud-popover-open .mud-list-item"), i => i.TextContent.Trim() == option));
        page.FindAll(".mud-popover-open .mud-list-item").First(i => i.TextContent.Trim() == option).Click();
    }

    [Fact]
    public void KindChip_NarrowsToThatKind_AndASecondAddsToIt()
    {
        var page = RenderFilters();

        page.Find("[data-testid=kind-filter] [data-kind=Insight]").Click();
        Assert.Equal([MemoryKind.Insight], page.Instance.Filter.Kinds);
        Assert.Single(page.FindAll("[data-testid=kind-filter] .mud-chip-selected"));
        page.Find("[data-testid=kind-filter] [data-kind=Summary]").Click();

        Assert.Equal([MemoryKind.Summary, MemoryKind.Insight], page.Instance.Filter.Kinds);
        Assert.True(page.Instance.Filter is { Domains.Count: 0, Teams.Count: 0, SourceModels.Count: 0, Tags.Count: 0 });
    }

    [Fact]
    public void Lists_OfferWhatThePoolHolds_AndNarrowByTheChosenValues()
    {
        var page = RenderFilters();

        Choose(page, "domain-filter", "swe-bench");
        Choose(page, "team-filter", "Search");
        Choose(page, "tag-filter", "dates");

        var filter = page.Instance.Filter;
        Assert.Equal(["swe-bench"], filter.Domains);
        Assert.Equal([Search.Id], filter.Teams);
        Assert.Equal(["dates"], filter.Tags);
        Assert.Empty(filter.Kinds);
    }

    [Fact]
    public void ClearFilters_IsOfferedOnlyOnceSomethingIsChosen_AndClearsEverything()
    {
        var page = RenderFilters(PoolFilter.None with { Tags = ["dates"] });
        page.Find("[data-testid=kind-filter] [data-kind=Insight]").Click();

        page.Find("[data-testid=clear-filters]").Click();

        Assert.True(page.Instance.Filter.IsEmpty);
        Assert.Empty(page.FindAll("[data-testid=clear-filters]"));
        Assert.Empty(page.FindAll("[data-testid=kind-filter] .mud-chip-selected"));
    }

    [Fact]
    public void NothingChosen_OffersNoClearButton()
    {
        Assert.Empty(RenderFilters().FindAll("[data-testid=clear-filters]"));
    }
}
