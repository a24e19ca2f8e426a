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
    [Fact]
    public void PlanQuery_TenTasksTwoConditionsThreeAttempts_CostsTenPlansAndSixtyAnswers()
    {
        Assert.Equal(70, RunEstimate.ModelCalls(tasks: 10, conditions: 2, attempts: 3, RetrievalQuery.Plan));
    }

    [Fact]
    public void TaskQuery_NeedsNoPlanCalls()
    {
        Assert.Equal(60, RunEstimate.ModelCalls(tasks: 10, conditions: 2, attempts: 3, RetrievalQuery.Task));
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
