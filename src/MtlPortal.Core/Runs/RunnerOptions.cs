namespace MtlPortal.Runs;

/// <summary>How this process takes part in running attempts. Bound from the "Runner" section.</summary>
public sealed class RunnerOptions
{
    public const string Section = "Runner";

    /// <summary>Whether this process works on runs (the portal and <c>./mtl worker</c> do, unless this is false).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Tasks worked on at once by this process; model calls wait on the network, so more than the cores.</summary>
    public int WorkerCount { get; set; } = 8;

    /// <summary>How often an idle worker looks for queued tasks, in seconds.</summary>
    public double PollSeconds { get; set; } = 1;

    /// <summary>
    /// How long a task taken by a process that died (killed, power lost) stays invisible before another takes it over,
    /// in seconds. A live worker keeps extending it, so long tasks are never taken twice.
    /// </summary>
    public double TakeOverSeconds { get; set; } = 60;

    /// <summary>
    /// How often a task whose job failed (an error the attempt itself does not record, e.g. the plan call refused) is
    /// tried again before the run ends as failed.
    /// </summary>
    public int JobRetries { get; set; } = 3;

    /// <summary>Seconds between those tries.</summary>
    public int RetryDelaySeconds { get; set; } = 30;

    /// <summary>Characters of a <c>run_code</c> observation the model is shown.</summary>
    public int ObservationChars { get; set; } = 4000;
}
