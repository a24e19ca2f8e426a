using MtlPortal.Generation;
using MtlPortal.Memories;
using MtlPortal.Memories.Abstraction;
using MtlPortal.Trajectories;

namespace MtlPortal.UnitTests.Generation;

/// <summary>The model's answer becomes a memory only when it has the kind's structure; otherwise it is refused with the reason.</summary>
public class GeneratedContentTests
{
    private static readonly AbstractionLinter Linter = new();

    private static Task<GeneratedContent> ReadAsync(MemoryKind kind, string answer) =>
        GeneratedContent.ReadAsync(kind, answer, (c, _) => Task.FromResult(Linter.Lint([.. c.Fields().Select(f => new LintField(f.Name, f.Text, f.MinSentences, f.MaxSentences))])));

    [Fact]
    public async Task InsightInACodeFence_IsReadAsAnInsight()
    {
        var read = await ReadAsync(MemoryKind.Insight, """
            Here is the memory item:
            ```json
            {"title": "Reproduce before fixing", "description": "Confirm the failure with a small check before changing code.", "content": "Write a minimal check that shows the failure first. Then change the code and run the same check again."}
            ```
            """);

        var insight = Assert.IsType<InsightContent>(read.Content);
        Assert.Equal("Reproduce before fixing", insight.Title);
        Assert.Null(read.Rejection);
    }

    [Fact]
    public async Task AnswerThatIsNotJson_IsRefusedSayingSo()
    {
        var read = await ReadAsync(MemoryKind.Insight, "I think the agent should have tested more.");

        Assert.False(read.Accepted);
        Assert.StartsWith("The model's answer is not JSON", read.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswerMissingAField_IsRefusedNamingTheField()
    {
        var read = await ReadAsync(MemoryKind.Summary, """{"task_summary": "Fix a parser."}""");

        Assert.False(read.Accepted);
        Assert.Equal("The model's answer has no text field 'experience_summary'.", read.Rejection);
    }

    [Fact]
    public async Task InsightNamingAFile_IsRefusedAsNotAbstract()
    {
        var read = await ReadAsync(MemoryKind.Insight, """{"title": "Check the settings", "description": "Read the configuration before editing.", "content": "Always open settings.py before changing the database code."}""");

        Assert.False(read.Accepted);
        Assert.Contains("not abstract", read.Rejection, StringComparison.Ordinal);
        Assert.Contains("settings.py", read.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkflowWithoutSteps_IsRefusedWithTheStructureError()
    {
        var read = await ReadAsync(MemoryKind.Workflow, """{"goal": "Fix a failing test", "workflow": []}""");

        Assert.False(read.Accepted);
        Assert.Contains("A workflow needs at least one step.", read.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrajectoryAndWorkflow_AreReadIntoTheirKinds()
    {
        var trajectory = await ReadAsync(MemoryKind.Trajectory, """{"steps": [{"action": "run the tests", "observation": "2 failed"}, {"action": "fix the comparison"}]}""");
        var workflow = await ReadAsync(MemoryKind.Workflow, """{"goal": "Fix a failing test", "workflow": ["run the tests", "read the failure", "fix", "run again"]}""");

        Assert.Equal(2, Assert.IsType<TrajectoryContent>(trajectory.Content).Steps.Count);
        Assert.Equal(4, Assert.IsType<WorkflowContent>(workflow.Content).Steps.Count);
    }

    [Theory]
    [InlineData("The fix is verified by the test run.\nPASS", TrajectoryVerdict.Passed)]
    [InlineData("**FAIL**", TrajectoryVerdict.Failed)]
    [InlineData("It probably works.", TrajectoryVerdict.Failed)]
    public void JudgeAnswer_PassOnlyWhenItSaysPass(string answer, TrajectoryVerdict verdict) =>
        Assert.Equal(verdict, TrajectoryJudge.Read(answer).Verdict);
}
