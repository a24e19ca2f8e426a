using MtlPortal.Memories;

namespace MtlPortal.Dashboards;

/// <summary>
/// Outcomes agents reported through <c>POST /feedback</c> after searches that returned the memory, counted apart
/// from runs: who reports is self-selected, so these never enter the paired effect.
/// </summary>
/// <param name="Success">Searches that returned the memory and then succeeded.</param>
/// <param name="Failure">Searches that returned the memory and then failed.</param>
/// <param name="SaidUsedSuccess">Of <paramref name="Success"/>, those where the agent said it used this memory.</param>
/// <param name="SaidUsedFailure">Of <paramref name="Failure"/>, those where the agent said it used this memory.</param>
public sealed record ImpactFeedback(int Success, int Failure, int SaidUsedSuccess, int SaidUsedFailure);

/// <summary>
/// One task of one run on which the memory was retrieved, beside the same task's zero-shot attempts in that run.
/// </summary>
public sealed record ImpactTask(Guid RunId, string Benchmark, string Task, string Condition, int Attempts, int Passed, int ZeroShotAttempts, int ZeroShotPassed)
{
    public double PassRate => (double)Passed / Attempts;

    /// <summary>Null when the run made no zero-shot attempts at the task: nothing to pair with.</summary>
    public double? ZeroShotPassRate => ZeroShotAttempts == 0 ? null : (double)ZeroShotPassed / ZeroShotAttempts;

    /// <summary>+1 helped (passed more often with the memory), −1 hurt, 0 the same or unpaired.</summary>
    public int Effect => ZeroShotPassRate is { } zeroShot ? Math.Sign(PassRate - zeroShot) : 0;
}

/// <summary>
/// What the recorded attempts say about one memory: how often runs put it in a prompt, under which conditions and
/// on which benchmarks (domains), how often the model said it used it, and its paired effect: on each task where
/// it was retrieved, that task's pass rate with it against the same run's zero-shot pass rate of the task.
/// </summary>
/// <param name="Retrieved">Attempts whose prompt held the memory.</param>
/// <param name="StatedUse">Of those, attempts whose answer named this memory as the one used.</param>
/// <param name="Conditions">Attempts that retrieved it, by condition.</param>
/// <param name="Domains">Attempts that retrieved it, by benchmark (the task's domain).</param>
/// <param name="PairedTasks">Tasks (per run) where it was retrieved and the run also has zero-shot attempts.</param>
/// <param name="TasksHelped">Paired tasks that passed more often with it than zero-shot.</param>
/// <param name="TasksHurt">Paired tasks that passed less often with it than zero-shot: negative transfer.</param>
/// <param name="PassRate">Mean pass rate over the paired tasks, with the memory; null without paired tasks.</param>
/// <param name="ZeroShotPassRate">Mean zero-shot pass rate of the same tasks; null without paired tasks.</param>
/// <param name="Tasks">Every task where it was retrieved, paired or not.</param>
public sealed record MemoryImpact(
    Guid MemoryId,
    string Title,
    MemoryKind Kind,
    MemoryStatus Status,
    Guid TeamId,
    string Team,
    string SourceDomain,
    int Retrieved,
    int StatedUse,
    IReadOnlyDictionary<string, int> Conditions,
    IReadOnlyDictionary<string, int> Domains,
    int PairedTasks,
    int TasksHelped,
    int TasksHurt,
    double? PassRate,
    double? ZeroShotPassRate,
    ImpactFeedback Feedback,
    IReadOnlyList<ImpactTask> Tasks)
{
    /// <summary>The paired difference in pass rate (with − zero-shot); negative means the memory hurt on average.</summary>
    public double? Delta => PassRate - ZeroShotPassRate;

    /// <summary>Net harm: tasks hurt minus tasks helped. The Impact dashboard lists the most harmful first.</summary>
    public int Harm => TasksHurt - TasksHelped;
}
