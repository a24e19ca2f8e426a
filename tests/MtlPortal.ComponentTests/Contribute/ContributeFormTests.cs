using AngleSharp.Dom;
using MtlPortal.Memories;
using MtlPortal.Web.Components.Contribute;

namespace MtlPortal.ComponentTests.Contribute;

/// <summary>Each kind's form: Core's validation messages appear beside the fields they are about, and steps number themselves.</summary>
public class ContributeFormTests(ContributePortal portal) : IClassFixture<ContributePortal>
{
    // Clicks on MudBlazor buttons complete asynchronously; on a busy two-core machine that takes a while.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static IRenderedComponent<ContributePage> RenderKind(BunitContext context, MemoryKind kind)
    {
        var page = context.Render<ContributePage>();
        // The first render comes before the settings and teams are read; the first test also warms up the database.
        page.WaitForElement("[data-testid=submit]:not([disabled])", Patience);
        if (kind != MemoryKind.Insight)
        {
            page.FindAll("[data-testid=kind] .mud-toggle-item").Single(e => e.TextContent.Trim() == kind.ToString()).Click();
        }

        page.WaitForAssertion(() => Assert.Equal(kind.ToString(), page.Find("[data-testid=kind] .mud-toggle-item-selected").TextContent.Trim()), Patience);
        return page;
    }

    /// <summary>The message shown in the field whose input or text area has this name.</summary>
    private static string FieldText(IRenderedComponent<ContributePage> page, string name) =>
        page.Find($"[name='{name}']").Closest(".mud-input-control")!.TextContent;

    private static void Submit(IRenderedComponent<ContributePage> page) => page.Find("[data-testid=submit]").Click();

    [Fact]
    public async Task Insight_SubmittedWithOnlyATitle_ShowsEachMissingFieldsMessageBesideIt()
    {
        await using var context = portal.NewContext();
        var page = RenderKind(context, MemoryKind.Insight);

        page.Find("input[name=title]").Input("Reproduce before you fix");
        Submit(page);

        page.WaitForAssertion(() => Assert.Contains("The description is required.", FieldText(page, "description")), Patience);
        Assert.Contains("The content is required.", FieldText(page, "content"));
        Assert.Contains("The source domain is required", FieldText(page, "sourceDomain"));
        Assert.DoesNotContain("required", FieldText(page, "title"));
        Assert.DoesNotContain("required", FieldText(page, "sourceModel"));
    }

    [Fact]
    public async Task Summary_SubmittedEmpty_ShowsTheSummarysMessagesBesideItsFields()
    {
        await using var context = portal.NewContext();
        var page = RenderKind(context, MemoryKind.Summary);

        page.Find("textarea[name=outcomeAnalysis]").Input("Profiling first showed one slow fixture.");
        Submit(page);

        page.WaitForAssertion(() => Assert.Contains("The task summary is required.", FieldText(page, "taskSummary")), Patience);
        Assert.DoesNotContain("required", FieldText(page, "outcomeAnalysis"));
        Assert.Empty(page.FindAll("[name=title]"));
    }

    [Fact]
    public async Task Workflow_WithAnEmptySecondStep_ShowsTheMessageBesideThatStep()
    {
        await using var context = portal.NewContext();
        var page = RenderKind(context, MemoryKind.Workflow);

        page.Find("textarea[name=goal]").Input("Implement a function from a docstring and examples.");
        page.Find("input[name=step-0]").Input("Turn each example into an assertion.");
        page.Find("[data-testid=add-step]").Click();
        page.WaitForElement("input[name=step-1]", Patience);
        page.Find("input[name=sourceDomain]").Input("humaneval");
        Submit(page);

        page.WaitForAssertion(() => Assert.Contains("Step 2 is required.", FieldText(page, "step-1")), Patience);
        Assert.DoesNotContain("required", FieldText(page, "step-0"));
        Assert.DoesNotContain("required", FieldText(page, "goal"));
    }

    [Fact]
    public async Task Trajectory_WithoutAnAction_ShowsTheMessageBesideTheAction()
    {
        await using var context = portal.NewContext();
        var page = RenderKind(context, MemoryKind.Trajectory);

        page.Find("textarea[name=observation-0]").Input("Nothing happened.");
        page.Find("input[name=sourceDomain]").Input("intercode-bash");
        Submit(page);

        page.WaitForAssertion(() => Assert.Contains("Step 1's action is required.", FieldText(page, "action-0")), Patience);
        Assert.DoesNotContain("required", FieldText(page, "observation-0"));
    }

    [Fact]
    public async Task Trajectory_StepsAreNumberedInOrder_AsStepsAreAddedAndRemoved()
    {
        await using var context = portal.NewContext();
        var page = RenderKind(context, MemoryKind.Trajectory);
        string[] Numbers() => [.. page.FindAll("[data-testid=step-number]").Select(e => e.TextContent.Trim())];

        Assert.Equal(["Step 1"], Numbers());

        page.Find("[data-testid=add-step]").Click();
        page.WaitForAssertion(() => Assert.Equal(["Step 1", "Step 2"], Numbers()), Patience);
        page.Find("[data-testid=add-step]").Click();
        page.WaitForAssertion(() => Assert.Equal(["Step 1", "Step 2", "Step 3"], Numbers()), Patience);

        page.Find("textarea[name=action-2]").Input("submit");
        page.FindAll("[data-testid=trajectory-step] button[aria-label='Remove step 1']").Single().Click();
        page.WaitForAssertion(() => Assert.Equal(["Step 1", "Step 2"], Numbers()), Patience);
        Assert.Equal("submit", page.Find("textarea[name=action-1]").GetAttribute("value") ?? page.Find("textarea[name=action-1]").TextContent);
    }
}
