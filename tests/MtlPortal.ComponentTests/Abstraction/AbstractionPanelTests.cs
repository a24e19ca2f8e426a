using Microsoft.Extensions.DependencyInjection;
using MtlPortal.ComponentTests.Contribute;
using MtlPortal.Memories;
using MtlPortal.Memories.Abstraction;
using MtlPortal.Settings;
using MtlPortal.Testing;
using MtlPortal.Web.Components.Contribute;
using MtlPortal.Web.Components.Memories;
using MudBlazor.Services;

namespace MtlPortal.ComponentTests.Abstraction;

/// <summary>The abstraction panel on the Contribute page, and the score as reviewers see it.</summary>
public class AbstractionPanelTests(ContributePortal portal) : IClassFixture<ContributePortal>
{
    private static readonly TimeSpan LiveAnalysis = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Panel_UpdatesAsTheContributorTypes_AndScoresNothingBeforeThereIsText()
    {
        await using var context = portal.NewContext();
        var page = context.Render<ContributePage>();
        var panel = () => page.Find("[data-testid=abstraction-panel]");

        page.WaitForAssertion(() => Assert.NotNull(panel().QuerySelector("[data-testid=not-scored]")), LiveAnalysis);
        Assert.Null(panel().QuerySelector("[data-testid=abstraction-score]"));

        page.Find("input[name=title]").Input("Fetch results before returning");
        page.Find("textarea[name=description]").Input("Make sure the query has run before its rows are used.");
        page.Find("textarea[name=content]").Input("In src/orm/query.py, call fetch_all before returning rows from get_rows.");
        page.WaitForAssertion(() => Assert.Contains("src/orm/query.py", panel().QuerySelector("[data-testid=findings]")?.TextContent ?? ""), LiveAnalysis);
        Assert.Equal(3, panel().QuerySelectorAll("[data-testid=findings] li").Length);
        Assert.Equal("low", panel().QuerySelector("[data-testid=abstraction-score]")!.GetAttribute("data-state"));
        Assert.NotNull(panel().QuerySelector("[data-testid=below-threshold]"));

        page.Find("textarea[name=content]").Input("Run the query before returning its rows. Then check the rows against what the caller expects.");
        page.WaitForAssertion(() => Assert.NotNull(panel().QuerySelector("[data-testid=no-findings]")), LiveAnalysis);
        Assert.Contains("1.00", panel().QuerySelector("[data-testid=abstraction-score]")!.TextContent);
        Assert.Equal("ok", panel().QuerySelector("[data-testid=abstraction-score]")!.GetAttribute("data-state"));
        Assert.Null(panel().QuerySelector("[data-testid=below-threshold]"));
    }

    [Fact]
    public async Task DuplicateHints_ShowAMemoryLikeTheOneBeingWritten_AsTheContributorTypes()
    {
        const string Title = "Reproduce before you fix";
        const string Content = "Write the smallest script or test that shows the behaviour. Run it before and after the change, so the fix is proven rather than assumed.";
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var actor = await scope.ServiceProvider.GetRequiredService<ActorDirectory>().GetAsync(portal.WriterId);
            var saved = await MemoryWriters.From(scope.ServiceProvider).Authoring.SaveAsync(actor!, null, new MemoryDraft(
                new InsightContent(Title, "Confirm the reported failure with a minimal reproduction before changing any code.", Content),
                new Provenance("swe-bench", null, "human", SourceOutcome.Unknown, [])), submit: true);
            Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Select(e => e.Message)));
        }

        await using var context = portal.NewContext();
        var page = context.Render<ContributePage>();
        var hints = () => page.Find("[data-testid=duplicate-hints]");
        page.WaitForElement("[data-testid=duplicate-hints]", LiveAnalysis);
        Assert.Empty(hints().QuerySelectorAll("[data-testid=similar-memory]"));

        page.Find("input[name=title]").Input(Title);
        page.Find("textarea[name=description]").Input("Confirm the reported failure with a minimal reproduction before changing any code.");
        page.Find("textarea[name=content]").Input(Content);

        page.WaitForAssertion(() => Assert.Contains(Title, hints().QuerySelector("[data-testid=similar-memory]")?.TextContent ?? ""), LiveAnalysis);
        Assert.Contains("insight", hints().QuerySelector("[data-testid=similar-memory] [data-testid=kind]")!.TextContent);
    }

    [Fact]
    public void Score_InsightThatLeaksAPathAndTwoIdentifiers_IsAWarningNotACheck()
    {
        using var context = new BunitContext();
        context.Services.AddMudServices();
        var report = new AbstractionLinter().Lint(LintField.ForInsight(
            "Fetch results before returning", "Make sure the query has run before its rows are used.", "In src/orm/query.py, call fetch_all before returning rows from get_rows."));

        var score = context.Render<AbstractionScore>(p => p
            .Add(s => s.Score, report.Score).Add(s => s.Findings, report.Findings.Count).Add(s => s.Minimum, ReviewSettings.Defaults.MinInsightAbstraction));

        Assert.Equal("low", score.Find("[data-testid=abstraction-score]").GetAttribute("data-state"));
        Assert.Contains("below the 0.60 an insight needs", score.Markup);
        Assert.Contains("3 findings", score.Markup);
    }

    [Theory]
    [InlineData(1.0, 0.6, "ok")]
    [InlineData(0.6, 0.6, "ok")]
    [InlineData(0.58, 0.6, "low")]
    [InlineData(0.05, null, "neutral")]
    public void Score_IsACheckOnlyWhereThereIsAMinimumAndItIsReached(double value, double? minimum, string state)
    {
        using var context = new BunitContext();
        context.Services.AddMudServices();

        var score = context.Render<AbstractionScore>(p => p.Add(s => s.Score, value).Add(s => s.Minimum, minimum));

        Assert.Equal(state, score.Find("[data-testid=abstraction-score]").GetAttribute("data-state"));
    }
}
