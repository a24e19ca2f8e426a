using MtlPortal.Runs;

namespace MtlPortal.IntegrationTests.Runs;

public sealed class RunResumeTests
{
    [Fact]
    public async Task PortalStoppedMidRun_NextPortalFinishesIt_WithEveryAttemptRecordedOnce()
    {
        await using var llm = await FakeOpenAiServer.StartAsync();
        llm.ResponseDelay = TimeSpan.FromMilliseconds(150);
        var first = new RunPortal(llm);
        await first.InitializeAsync();
        first.Llm.Reply = messages => RunPortal.IsPlanRequest(messages) ? "Return the number." : RunPortal.Answer(RunPortal.TaskNumber(messages));
        await first.BenchmarkAsync("resumable", tasks: 4);
        await first.ApprovedInsightAsync("Return what is asked", "Return the number the task names.", "elsewhere");
        var run = await first.StartAsync(new RunRequest { Benchmark = "resumable", Conditions = ["zero-shot", "insight"], Attempts = 2 });
        var runId = run.Id;
        var expected = run.ExpectedAttempts;
        while ((await first.AttemptsAsync(runId)).Count < 2)
        {
            await Task.Delay(20);
        }

        // Stopping the host stops its job server in the middle of the run's tasks.
        await first.DisposeAsync();

        await using var second = new RunPortal(llm, first.ConnectionString);
        await second.InitializeAsync();
        var recordedBeforeRestart = (await second.AttemptsAsync(runId)).Count;
        Assert.InRange(recordedBeforeRestart, 2, expected - 1);
        var summary = await second.FinishedAsync(runId);

        Assert.Equal("completed", summary.Status);
        var attempts = await second.AttemptsAsync(runId);
        Assert.Equal(16, expected);
        Assert.Equal(expected, attempts.Count);
        Assert.Equal(expected, attempts.Select(a => (a.TaskId, a.Condition, a.AttemptNumber)).Distinct().Count());
    }
}
