using System.Globalization;
using MtlPortal.Runs;
using MtlPortal.Sandbox;
using MudBlazor;

namespace MtlPortal.Web.Components.Runs;

/// <summary>One attempt as the verdict grid shows it: enough to colour a chip and open the attempt.</summary>
public sealed record AttemptCell(Guid AttemptId, string TaskId, int Ordinal, string Condition, int AttemptNumber, SandboxVerdict? Verdict, string? Error);

/// <summary>How the run pages turn a run's figures into words, colours and estimates.</summary>
public static class RunView
{
    /// <summary>Attempts one condition makes: the run's total is tasks × conditions × attempts.</summary>
    public static int PerCondition(RunSummary run) => run.Conditions.Count == 0 ? 0 : run.Progress.Total / run.Conditions.Count;

    public static double Percent(int done, int total) => total == 0 ? 0 : Math.Min(100, 100.0 * done / total);

    /// <summary>
    /// Time left at the pace so far (attempts recorded since the start); null before the first attempt, when there is
    /// no pace yet, and once nothing is left.
    /// </summary>
    public static TimeSpan? Eta(RunProgress progress, DateTimeOffset startedAt, DateTimeOffset now)
    {
        if (progress.Done <= 0 || progress.Done >= progress.Total)
        {
            return null;
        }

        var elapsed = now - startedAt;
        if (elapsed <= TimeSpan.Zero)
        {
            return null;
        }

        return TimeSpan.FromTicks((long)(elapsed.Ticks * (double)(progress.Total - progress.Done) / progress.Done));
    }

    public static string Describe(TimeSpan? eta) => eta switch
    {
        null => "",
        { TotalSeconds: < 60 } e => $"about {Math.Max(1, (int)Math.Ceiling(e.TotalSeconds))} s left",
        { TotalMinutes: < 60 } e => $"about {(int)Math.Ceiling(e.TotalMinutes)} min left",
        { } e => $"about {(int)e.TotalHours} h {e.Minutes} min left",
    };

    public static Color StatusColor(string status) => status switch
    {
        "running" => Color.Info,
        "completed" => Color.Success,
        "cancelled" => Color.Default,
        "stopped" => Color.Warning,
        _ => Color.Default,
    };

    public static string PassAt(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    public static string Describe(SandboxVerdict? verdict, string? error) => verdict switch
    {
        SandboxVerdict.Passed => "passed",
        SandboxVerdict.Failed => "failed",
        SandboxVerdict.CompileError => "compile error",
        SandboxVerdict.Timeout => "timeout",
        SandboxVerdict.OutOfMemory => "out of memory",
        SandboxVerdict.Crashed => "crashed",
        SandboxVerdict.SandboxError => "sandbox error",
        null => error is null ? "no verdict" : "error",
        _ => verdict.ToString()!,
    };

    public static Color VerdictColor(SandboxVerdict? verdict) => verdict switch
    {
        SandboxVerdict.Passed => Color.Success,
        null => Color.Warning,
        _ => Color.Error,
    };
}

/// <summary>What a new run will cost in model calls, before it starts.</summary>
public static class RunEstimate
{
    /// <summary>Tasks the run takes from <paramref name="available"/>: all, or the first / a sample of N.</summary>
    public static int Tasks(int available, int? count) => count is { } n and > 0 ? Math.Min(n, available) : available;

    /// <summary>One plan per task when retrieval embeds the model's plan, then one call per task × condition × attempt.</summary>
    public static int ModelCalls(int tasks, int conditions, int attempts, RetrievalQuery query) =>
        (query == RetrievalQuery.Plan ? tasks : 0) + tasks * conditions * attempts;
}
