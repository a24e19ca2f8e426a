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
        "failed" => Color.Error,
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

    /// <summary>The model's settings and the run's caps, as the Run page lists them.</summary>
    public static string ModelSettings(Run run)
    {
        var parts = new List<string>
        {
            run.Temperature is { } t ? $"temperature {t.ToString("0.##", CultureInfo.InvariantCulture)}" : "the model's default temperature",
            run.MaxOutputTokens is { } m ? $"at most {m} output tokens per call" : "the model's default output length",
        };
        if (run.Mode == RunMode.Agent)
        {
            parts.Add($"up to {run.MaxSteps} run_code steps");
        }

        parts.Add(run.MaxTokens is null && run.MaxCost is null ? "no caps"
            : "stops at " + string.Join(" or ", new[]
            {
                run.MaxTokens is { } tokens ? $"{tokens.ToString("N0", CultureInfo.InvariantCulture)} tokens" : null,
                run.MaxCost is { } cost ? $"a cost of {cost.ToString("0.####", CultureInfo.InvariantCulture)}" : null,
            }.OfType<string>()));
        return string.Join(" · ", parts);
    }

    /// <summary>The pool filter beyond the left-out domains: "; source models …; teams …; abstraction ≥ …", or empty.</summary>
    public static string PoolFilters(Run run, IReadOnlyList<string> teams)
    {
        var text = "";
        if (run.SourceModels is { Count: > 0 } models)
        {
            text += $"; source models: {string.Join(", ", models)}";
        }

        if (teams.Count > 0)
        {
            text += $"; teams: {string.Join(", ", teams)}";
        }

        if (run.MinAbstraction is { } min)
        {
            text += $"; abstraction score at least {min.ToString("0.##", CultureInfo.InvariantCulture)}";
        }

        return text;
    }
}
