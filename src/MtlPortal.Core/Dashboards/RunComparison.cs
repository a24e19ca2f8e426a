using MtlPortal.Runs;

namespace MtlPortal.Dashboards;

/// <summary>pass@1 and pass@k of one condition over some tasks, each with its 95% interval.</summary>
public sealed record PassCell(int Tasks, double PassAt1, Interval PassAt1Ci95, double PassAtK, Interval PassAtKCi95);

/// <summary>A row of the paper's Table 1: one condition of one run, per benchmark, then the micro and macro averages.</summary>
public sealed record TableRow(Guid RunId, string Run, string Condition, IReadOnlyDictionary<string, PassCell> Benchmarks, PassCell Micro, PassCell Macro);

/// <summary>How one task fared under the baseline and under a candidate condition (solved: one of its first k attempts passed).</summary>
public enum TaskChange
{
    Neither = 0,
    Both = 1,
    Improved = 2,
    Regressed = 3,
}

/// <summary>One task of a paired comparison, with its attempts under both conditions.</summary>
public sealed record TaskPair(
    string Condition,
    string Benchmark,
    string Task,
    string Key,
    int BaselinePassed,
    int BaselineAttempts,
    int CandidatePassed,
    int CandidateAttempts,
    TaskChange Change,
    IReadOnlyList<AttemptOutcome> BaselineAttemptList,
    IReadOnlyList<AttemptOutcome> CandidateAttemptList)
{
    /// <summary>What promptfoo's "different only" keeps: a flip, or at least a different number of passing attempts.</summary>
    public bool Different => Change is TaskChange.Improved or TaskChange.Regressed || BaselinePassed * CandidateAttempts != CandidatePassed * BaselineAttempts;
}

/// <summary>
/// One condition against the baseline, paired by task: pass@k of both over the tasks both reached, the difference with
/// its paired bootstrap interval, the exact McNemar p-value, and the counts behind it.
/// </summary>
public sealed record PairedResult(
    string Condition,
    int Tasks,
    double BaselinePassAtK,
    double PassAtK,
    Interval Ci95,
    double Delta,
    Interval DeltaCi95,
    double McNemarP,
    int Improved,
    int Regressed,
    int Both,
    int Neither,
    IReadOnlyList<string> ImprovedTasks,
    IReadOnlyList<string> RegressedTasks)
{
    /// <summary>True when the difference's interval includes 0: the data cannot tell the conditions apart.</summary>
    public bool WithinNoise => DeltaCi95.Covers(0);

    /// <summary>The difference in words, as the page says it.</summary>
    public string Verdict => Tasks == 0
        ? "No task has attempts under both conditions yet."
        : WithinNoise
            ? $"Within noise: the 95% interval of the difference ({Percent(DeltaCi95.Low)} to {Percent(DeltaCi95.High)}) includes 0."
            : Delta > 0
                ? $"Better than the baseline by {Percent(Delta)} (95% interval {Percent(DeltaCi95.Low)} to {Percent(DeltaCi95.High)})."
                : $"Worse than the baseline by {Percent(-Delta)} (95% interval {Percent(DeltaCi95.Low)} to {Percent(DeltaCi95.High)}).";

    private static string Percent(double value) =>
        (value * 100).ToString("+0.0;-0.0;0.0", System.Globalization.CultureInfo.InvariantCulture) + " pts";
}

/// <summary>Spending of one condition: tokens, latency, cost, in all and per solved task.</summary>
public sealed record ConditionCost(
    Guid RunId,
    string Run,
    string Condition,
    int Attempts,
    long TokensIn,
    long TokensOut,
    double MeanLatencyMs,
    decimal? Cost,
    int SolvedTasks)
{
    public double? TokensPerSolvedTask => SolvedTasks == 0 ? null : (double)(TokensIn + TokensOut) / SolvedTasks;

    public decimal? CostPerSolvedTask => SolvedTasks == 0 || Cost is null ? null : Cost / SolvedTasks;
}

/// <summary>pass@k for k = 1 … K of one row, for the pass@k-against-k chart.</summary>
public sealed record PassAtKCurve(string Run, string Condition, IReadOnlyList<double> PassAtK);

/// <summary>A run compared with a baseline: everything the comparison page, its CSV and the API show.</summary>
public sealed record RunComparison(
    RunOutcomes Run,
    RunOutcomes BaselineRun,
    string BaselineCondition,
    int K,
    IReadOnlyList<string> Benchmarks,
    IReadOnlyList<TableRow> Table,
    IReadOnlyList<PairedResult> Paired,
    IReadOnlyList<TaskPair> Tasks,
    IReadOnlyList<ConditionCost> Costs,
    IReadOnlyList<PassAtKCurve> Curves)
{
    public bool SameRun => Run.RunId == BaselineRun.RunId;
}

/// <summary>
/// The comparison computed in one place for the pages, the CSV export and the API. pass@k is <see cref="PassAtK"/>'s
/// unbiased estimator averaged over tasks; K is the fewest attempts any compared task has, so every cell uses the same k.
/// In the paired part a task counts as solved under a condition when one of its first K attempts passed (exactly its
/// pass@K when it has K attempts; and fair between runs with different numbers of attempts), which is what the flips
/// and McNemar's test count.
/// </summary>
public static class RunComparer
{
    public static RunComparison Compare(RunOutcomes run, string baselineCondition, RunOutcomes? baselineRun = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(baselineCondition);
        var baseRun = baselineRun ?? run;
        var sameRun = baseRun.RunId == run.RunId;

        // Rows: the baseline first; then every condition of the run (the baseline itself only when it is another run's).
        var rows = new List<(RunOutcomes Run, string Condition)> { (baseRun, baselineCondition) };
        rows.AddRange(run.Conditions.Where(c => !sameRun || c != baselineCondition).Select(c => (run, c)));

        var groups = rows.Select(r => (r.Run, r.Condition, Tasks: ByTask(r.Run, r.Condition))).ToList();
        var counts = groups.SelectMany(g => g.Tasks.Values).Select(t => t.Count).ToList();
        var k = counts.Count == 0 ? 1 : counts.Min();
        var benchmarks = groups.SelectMany(g => g.Tasks.Keys).Select(t => t.Benchmark).Distinct().Order(StringComparer.Ordinal).ToList();
        var keyed = benchmarks.Count > 1;

        var table = groups.Select(g => Row(g.Run, g.Condition, g.Tasks, benchmarks, k)).ToList();
        var curves = groups.Select(g => new PassAtKCurve(g.Run.Label, g.Condition,
            [.. Enumerable.Range(1, k).Select(i => g.Tasks.Count == 0 ? 0 : g.Tasks.Values.Average(t => PassAtK.ForTask(t.Count, t.Count(a => a.Passed), i)))])).ToList();
        var costs = groups.Select(g => Cost(g.Run, g.Condition, g.Tasks)).ToList();

        var baseline = groups[0].Tasks;
        var paired = new List<PairedResult>();
        var pairs = new List<TaskPair>();
        foreach (var (_, condition, tasks) in groups.Skip(1))
        {
            var shared = tasks.Keys.Where(baseline.ContainsKey).OrderBy(t => t.Benchmark, StringComparer.Ordinal).ThenBy(t => t.Ordinal).ToList();
            var conditionPairs = shared.Select(t => Pair(condition, t, baseline[t], tasks[t], k, keyed)).ToList();
            pairs.AddRange(conditionPairs);
            var baseValues = shared.Select(t => PassOf(baseline[t], k)).ToList();
            var candidateValues = shared.Select(t => PassOf(tasks[t], k)).ToList();
            var differences = candidateValues.Zip(baseValues, (c, b) => c - b).ToList();
            var improved = conditionPairs.Where(p => p.Change == TaskChange.Improved).Select(p => p.Key).ToList();
            var regressed = conditionPairs.Where(p => p.Change == TaskChange.Regressed).Select(p => p.Key).ToList();
            var candidateRate = candidateValues.Count == 0 ? 0 : candidateValues.Average();
            paired.Add(new PairedResult(
                condition,
                shared.Count,
                baseValues.Count == 0 ? 0 : baseValues.Average(),
                candidateRate,
                Statistics.Wilson(candidateRate, shared.Count),
                differences.Count == 0 ? 0 : differences.Average(),
                Statistics.PairedBootstrap(differences),
                Statistics.McNemarExactP(improved.Count, regressed.Count),
                improved.Count,
                regressed.Count,
                conditionPairs.Count(p => p.Change == TaskChange.Both),
                conditionPairs.Count(p => p.Change == TaskChange.Neither),
                improved,
                regressed));
        }

        return new RunComparison(run, baseRun, baselineCondition, k, benchmarks, table, paired, pairs, costs, curves);
    }

    /// <summary>A task as the comparison keys it: benchmark, dataset id and its place in the benchmark.</summary>
    private readonly record struct TaskKey(string Benchmark, string Name, int Ordinal);

    private static Dictionary<TaskKey, List<AttemptOutcome>> ByTask(RunOutcomes run, string condition) =>
        run.Attempts.Where(a => a.Condition == condition)
            .GroupBy(a => new TaskKey(a.Benchmark, a.Task, 0))
            .ToDictionary(g => g.Key with { Ordinal = g.First().Ordinal }, g => g.OrderBy(a => a.Attempt).ToList(), new NameOnly());

    /// <summary>Tasks of two runs pair by benchmark and dataset id; the ordinal only sorts.</summary>
    private sealed class NameOnly : IEqualityComparer<TaskKey>
    {
        public bool Equals(TaskKey x, TaskKey y) => x.Benchmark == y.Benchmark && x.Name == y.Name;

        public int GetHashCode(TaskKey key) => HashCode.Combine(key.Benchmark, key.Name);
    }

    private static double PassOf(List<AttemptOutcome> attempts, int k) => PassAtK.ForTask(attempts.Count, attempts.Count(a => a.Passed), k);

    private static PassCell Cell(IReadOnlyCollection<List<AttemptOutcome>> tasks, int k)
    {
        if (tasks.Count == 0)
        {
            return new PassCell(0, 0, new Interval(0, 1), 0, new Interval(0, 1));
        }

        var at1 = tasks.Average(t => PassOf(t, 1));
        var atK = tasks.Average(t => PassOf(t, k));
        return new PassCell(tasks.Count, at1, Statistics.Wilson(at1, tasks.Count), atK, Statistics.Wilson(atK, tasks.Count));
    }

    private static TableRow Row(RunOutcomes run, string condition, Dictionary<TaskKey, List<AttemptOutcome>> tasks, IReadOnlyList<string> benchmarks, int k)
    {
        var perBenchmark = benchmarks.ToDictionary(b => b, b => tasks.Where(t => t.Key.Benchmark == b).Select(t => t.Value).ToList());
        var cells = perBenchmark.ToDictionary(p => p.Key, p => Cell(p.Value, k));
        var micro = Cell(tasks.Values, k);

        // The macro average weighs benchmarks equally; its interval resamples tasks within each benchmark. Over one
        // benchmark it is the micro average, interval included.
        var reached = perBenchmark.Values.Where(v => v.Count > 0).ToList();
        var macro = reached.Count <= 1
            ? micro
            : new PassCell(
                micro.Tasks,
                reached.Average(v => v.Average(t => PassOf(t, 1))),
                Statistics.StratifiedBootstrap([.. reached.Select(v => (IReadOnlyList<double>)[.. v.Select(t => PassOf(t, 1))])]),
                reached.Average(v => v.Average(t => PassOf(t, k))),
                Statistics.StratifiedBootstrap([.. reached.Select(v => (IReadOnlyList<double>)[.. v.Select(t => PassOf(t, k))])]));
        return new TableRow(run.RunId, run.Label, condition, cells, micro, macro);
    }

    private static ConditionCost Cost(RunOutcomes run, string condition, Dictionary<TaskKey, List<AttemptOutcome>> tasks)
    {
        var attempts = tasks.Values.SelectMany(t => t).ToList();
        var costs = attempts.Where(a => a.Cost is not null).Select(a => a.Cost!.Value).ToList();
        return new ConditionCost(
            run.RunId,
            run.Label,
            condition,
            attempts.Count,
            attempts.Sum(a => a.TokensIn),
            attempts.Sum(a => a.TokensOut),
            attempts.Count == 0 ? 0 : attempts.Average(a => a.LatencyMs),
            costs.Count == 0 ? null : costs.Sum(),
            tasks.Values.Count(t => t.Any(a => a.Passed)));
    }

    private static TaskPair Pair(string condition, TaskKey task, List<AttemptOutcome> baseline, List<AttemptOutcome> candidate, int k, bool keyed)
    {
        var baseSolved = baseline.Take(k).Any(a => a.Passed);
        var candidateSolved = candidate.Take(k).Any(a => a.Passed);
        var change = (baseSolved, candidateSolved) switch
        {
            (false, true) => TaskChange.Improved,
            (true, false) => TaskChange.Regressed,
            (true, true) => TaskChange.Both,
            _ => TaskChange.Neither,
        };
        return new TaskPair(condition, task.Benchmark, task.Name, keyed ? $"{task.Benchmark}:{task.Name}" : task.Name,
            baseline.Count(a => a.Passed), baseline.Count, candidate.Count(a => a.Passed), candidate.Count, change, baseline, candidate);
    }
}
