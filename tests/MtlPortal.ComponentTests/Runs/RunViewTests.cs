using MtlPortal.Runs;
using MtlPortal.Sandbox;
using MtlPortal.Web.Components.Runs;

namespace MtlPortal.ComponentTests.Runs;

public class RunViewTests : MudTestContext
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Eta_AQuarterDoneAfterOneMinute_LeavesThreeMinutes()
    {
        var eta = RunView.Eta(new RunProgress(25, 100), Start, Start.AddMinutes(1));

        Assert.Equal(TimeSpan.FromMinutes(3), eta);
        Assert.Equal("about 3 min left", RunView.Describe(eta));
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(100, 100)]
    public void Eta_BeforeTheFirstAttemptOrWhenAllAreDone_IsNotShown(int done, int total)
    {
        Assert.Null(RunView.Eta(new RunProgress(done, total), Start, Start.AddMinutes(5)));
    }

    [Fact]
    public void VerdictGrid_ShowsEachTaskOnceWithItsAttemptsUnderTheirCondition()
    {
        AttemptCell[] cells =
        [
            new(Guid.NewGuid(), "T/1", 1, "insight", 1, SandboxVerdict.Passed, null),
            new(Guid.NewGuid(), "T/0", 0, "zero-shot", 1, SandboxVerdict.Failed, null),
            new(Guid.NewGuid(), "T/0", 0, "zero-shot", 2, SandboxVerdict.Passed, null),
            new(Guid.NewGuid(), "T/0", 0, "insight", 1, null, "the model server answered 400"),
        ];
        AttemptCell? opened = null;

        var grid = Render<VerdictGrid>(p => p
            .Add(g => g.Conditions, ["zero-shot", "insight"])
            .Add(g => g.Cells, cells)
            .Add(g => g.OnOpen, cell => opened = cell));

        var rows = grid.FindAll("[data-testid=verdict-row]");
        Assert.Equal(["T/0", "T/1"], rows.Select(r => r.GetAttribute("data-task")));
        var zeroShot = rows[0].QuerySelectorAll("td[data-condition=zero-shot] [data-testid=verdict]").Select(c => c.GetAttribute("data-verdict"));
        Assert.Equal(["failed", "passed"], zeroShot);
        Assert.Equal("error", rows[0].QuerySelector("td[data-condition=insight] [data-testid=verdict]")!.GetAttribute("data-verdict"));
        Assert.Empty(rows[1].QuerySelectorAll("td[data-condition=zero-shot] [data-testid=verdict]"));

        grid.FindAll("[data-testid=verdict]")[1].Click();
        Assert.Equal(cells[2], opened);
    }
}

public class RunEstimateTests
{
    private static RunShape Shape(int tasks = 10, int conditions = 2, int memoryConditions = 1, RetrievalQuery query = RetrievalQuery.Plan, RunMode mode = RunMode.Single) =>
        new(tasks, conditions, memoryConditions, Attempts: 3, query, mode, MaxSteps: 4, TopN: 3, PromptCharacters: 400, MaxOutputTokens: 500);

    [Fact]
    public void PlanQuery_TenTasksTwoConditionsThreeAttempts_CostsTenPlansAndSixtyAnswers()
    {
        var estimate = RunEstimate.Estimate(Shape(), null);

        Assert.Equal(70, estimate.LeastCalls);
        Assert.Equal(70, estimate.MostCalls);
        Assert.Null(estimate.Cost);
    }

    [Fact]
    public void TaskQuery_OrOnlyZeroShot_NeedsNoPlanCalls()
    {
        Assert.Equal(60, RunEstimate.Estimate(Shape(query: RetrievalQuery.Task), null).LeastCalls);
        Assert.Equal(30, RunEstimate.Estimate(Shape(conditions: 1, memoryConditions: 0), null).LeastCalls);
    }

    [Fact]
    public void AgentMode_MayCallTheModelOncePerStepAndOnceToAnswer()
    {
        var estimate = RunEstimate.Estimate(Shape(mode: RunMode.Agent), null);

        Assert.Equal(70, estimate.LeastCalls);
        Assert.Equal(10 + (60 * 5), estimate.MostCalls);
    }

    [Fact]
    public void Cost_FollowsTheConnectionsPricesPerMillionTokens()
    {
        var model = new ModelConnection { InputPricePerMillion = 1m, OutputPricePerMillion = 10m };

        var estimate = RunEstimate.Estimate(Shape(), model);

        // 400 characters are 100 tokens, plus 300 of instructions; memory prompts carry 3 × 250 more.
        Assert.Equal((10 * 400) + (30 * 400) + (30 * (400 + 750)), estimate.TokensIn);
        Assert.Equal((10 * 150) + (60 * 500), estimate.TokensOut);
        Assert.Equal(((estimate.TokensIn * 1m) + (estimate.TokensOut * 10m)) / 1_000_000m, estimate.Cost);
    }

    [Theory]
    [InlineData(164, null, 164)]
    [InlineData(164, 20, 20)]
    [InlineData(5, 20, 5)]
    public void Tasks_FirstOrSampleOfN_NeverExceedsWhatTheBenchmarkHas(int available, int? count, int expected)
    {
        Assert.Equal(expected, RunEstimate.Tasks(available, count));
    }
}
