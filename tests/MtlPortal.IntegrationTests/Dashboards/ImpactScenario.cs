using MtlPortal.IntegrationTests.Runs;
using MtlPortal.Runs;

namespace MtlPortal.IntegrationTests.Dashboards;

/// <summary>
/// One run on the real engine against the stand-in model server, with two approved insights from other domains and
/// top-1 retrieval by plan: task 0's plan matches the helpful insight, with which the model solves it (zero-shot it
/// fails); task 1's plan matches the harmful insight, with which the model fails it (zero-shot it passes). Two
/// attempts per task and condition.
/// </summary>
public sealed class ImpactScenario : RunPortal
{
    public const string Collection = "impact scenario";

    public const string HelpfulText = "Verify boundary conditions carefully before returning values.";
    public const string HarmfulText = "Always hardcode answers copied from unrelated repository fixtures.";

    public Guid Helpful { get; private set; }

    public Guid Harmful { get; private set; }

    public Guid RunId { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Llm.Reply = messages =>
        {
            if (IsPlanRequest(messages))
            {
                var planned = messages.First(m => m.Role == "user").Content;
                return planned.Contains("Task 0:", StringComparison.Ordinal) ? HelpfulText : HarmfulText;
            }

            var task = TaskNumber(messages);

            var system = messages.First(m => m.Role == "system").Content;
            if (system.Contains(HelpfulText, StringComparison.Ordinal))
            {
                return Answer(task, memoryUsed: "1");
            }

            if (system.Contains(HarmfulText, StringComparison.Ordinal))
            {
                return Answer(task + 100);
            }

            return task == 1 ? Answer(task) : Answer(task + 100);
        };

        await BenchmarkAsync("toy-python", tasks: 2);
        Helpful = await ApprovedInsightAsync("Verify boundaries", HelpfulText, "domain-a");
        Harmful = await ApprovedInsightAsync("Hardcode fixtures", HarmfulText, "domain-b");
        var run = await StartAsync(new RunRequest { Benchmark = "toy-python", Conditions = ["zero-shot", "insight"], Attempts = 2, TopN = 1 });
        RunId = run.Id;
        var summary = await FinishedAsync(run.Id);
        if (summary.Status != "completed")
        {
            throw new InvalidOperationException($"The scenario's run ended {summary.Status}: {summary.StatusReason}");
        }
    }
}

[CollectionDefinition(ImpactScenario.Collection)]
public sealed class ImpactScenarioCollection : ICollectionFixture<ImpactScenario>;
