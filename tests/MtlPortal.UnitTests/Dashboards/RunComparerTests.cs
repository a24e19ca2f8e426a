using MtlPortal.Dashboards;
using MtlPortal.Runs;

namespace MtlPortal.UnitTests.Dashboards;

public class RunComparerTests
{
    /// <summary>A run whose attempts are given as "benchmark/task condition passes" with "1" for a pass, "0" for a failure.</summary>
    private static RunOutcomes Run(string model, params (string Benchmark, string Task, string Condition, string Passes)[] tasks)
    {
        var attempts = new List<AttemptOutcome>();
        var ordinal = 0;
        foreach (var (benchmark, task, condition, passes) in tasks)
        {
            for (var i = 0; i < passes.Length; i++)
            {
                attempts.Add(new AttemptOutcome(Guid.NewGuid(), benchmark, task, ordinal, condition, i + 1, passes[i] == '1', 100, 10, 50, 0.01m));
            }

            ordinal++;
        }

        return new RunOutcomes(Guid.NewGuid(), RunKind.Agent, "bench", model, "completed",
            [.. tasks.Select(t => t.Condition).Distinct()], null, DateTimeOffset.UnixEpoch, attempts);
    }

    [Fact]
    public void Compare_CountsFlipsAndDeltaPairedByTask()
    {
        var run = Run("m",
            ("b", "t0", "zero-shot", "000"), ("b", "t0", "insight", "010"), // improved
            ("b", "t1", "zero-shot", "100"), ("b", "t1", "insight", "000"), // regressed
            ("b", "t2", "zero-shot", "111"), ("b", "t2", "insight", "111"), // both
            ("b", "t3", "zero-shot", "000"), ("b", "t3", "insight", "000"), // neither
            ("b", "t4", "zero-shot", "000"), ("b", "t4", "insight", "001")); // improved

        var comparison = RunComparer.Compare(run, "zero-shot");

        Assert.Equal(3, comparison.K);
        var insight = Assert.Single(comparison.Paired);
        Assert.Equal(("insight", 5, 2, 1, 1, 1), (insight.Condition, insight.Tasks, insight.Improved, insight.Regressed, insight.Both, insight.Neither));
        Assert.Equal(["t0", "t4"], insight.ImprovedTasks);
        Assert.Equal(["t1"], insight.RegressedTasks);
        Assert.Equal(0.4, insight.BaselinePassAtK, 12); // t1, t2 of 5
        Assert.Equal(0.6, insight.PassAtK, 12); // t0, t2, t4 of 5
        Assert.Equal(0.2, insight.Delta, 12);
        Assert.Equal(1.0, insight.McNemarP, 12); // 2·P(X ≤ 1), X ~ Bin(3, ½) = 2·4/8, capped at 1 (python3)
        Assert.True(insight.WithinNoise);
        Assert.StartsWith("Within noise", insight.Verdict);

        // Table 1: zero-shot pass@1 = (0 + 1/3 + 1 + 0 + 0) / 5.
        var zeroShot = comparison.Table.Single(r => r.Condition == "zero-shot");
        Assert.Equal(4.0 / 15, zeroShot.Micro.PassAt1, 12);
        Assert.Equal(0.4, zeroShot.Micro.PassAtK, 12);
        Assert.Equal(comparison.Table.Select(r => r.Micro.PassAtK), comparison.Curves.Select(c => c.PassAtK[^1]));
        Assert.Equal(["t0", "t1", "t4"], comparison.Tasks.Where(t => t.Different).Select(t => t.Task)); // the flips; "both" and "neither" agree in every attempt
    }

    [Fact]
    public void Compare_TwoBenchmarks_MicroWeighsTasksAndMacroWeighsBenchmarks()
    {
        var run = Run("m",
            ("small", "a", "zero-shot", "1"),
            ("large", "x", "zero-shot", "0"), ("large", "y", "zero-shot", "0"), ("large", "z", "zero-shot", "1"));

        var row = Assert.Single(RunComparer.Compare(run, "zero-shot").Table);

        Assert.Equal(0.5, row.Micro.PassAt1, 12); // 2 of 4 tasks
        Assert.Equal((1 + 1.0 / 3) / 2, row.Macro.PassAt1, 12); // mean of 1 and 1/3
        Assert.Equal(1.0, row.Benchmarks["small"].PassAt1);
        Assert.Equal(1.0 / 3, row.Benchmarks["large"].PassAt1, 12);
    }

    [Fact]
    public void Compare_AgainstAnotherRun_PairsTasksByBenchmarkAndName()
    {
        var baseline = Run("small-model", ("b", "t0", "zero-shot", "00"), ("b", "t1", "zero-shot", "11"), ("b", "only-here", "zero-shot", "11"));
        var candidate = Run("large-model", ("b", "t0", "zero-shot", "01"), ("b", "t1", "zero-shot", "11"));

        var comparison = RunComparer.Compare(candidate, "zero-shot", baseline);

        Assert.False(comparison.SameRun);
        Assert.Equal(["baseline", "candidate"], comparison.Table.Select(r => r.RunId == baseline.RunId ? "baseline" : "candidate"));
        var paired = Assert.Single(comparison.Paired);
        Assert.Equal(2, paired.Tasks);
        Assert.Equal(["t0"], paired.ImprovedTasks);
        Assert.Equal(0.5, paired.Delta, 12);
    }

    [Fact]
    public void Compare_ClearImprovement_IsNotCalledNoise()
    {
        var tasks = Enumerable.Range(0, 30).SelectMany(i => new[]
        {
            ("b", $"t{i}", "zero-shot", i < 5 ? "1" : "0"),
            ("b", $"t{i}", "insight", i < 25 ? "1" : "0"),
        }).ToArray();

        var insight = Assert.Single(RunComparer.Compare(Run("m", tasks), "zero-shot").Paired);

        Assert.Equal(20, insight.Improved);
        Assert.False(insight.WithinNoise);
        Assert.StartsWith("Better than the baseline by +66.7 pts", insight.Verdict);
        Assert.True(insight.McNemarP < 1e-5);
    }
}
