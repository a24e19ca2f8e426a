using System.Globalization;
using MtlPortal.Dashboards;
using MudBlazor;

namespace MtlPortal.Web.Components.Dashboards;

/// <summary>How the dashboards write their numbers and draw their charts.</summary>
public static class DashboardView
{
    public static string Rate(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    public static string Ci(Interval interval) => $"[{Rate(interval.Low)}, {Rate(interval.High)}]";

    public static string Delta(double value) => value.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);

    public static string P(double p) => p < 0.001 ? "< 0.001" : p.ToString("0.000", CultureInfo.InvariantCulture);

    public static string Tokens(double? value) => value is { } v ? v.ToString("#,0", CultureInfo.InvariantCulture) : "—";

    public static string Money(decimal? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "—";

    public static string Ms(double value) => value.ToString("#,0", CultureInfo.InvariantCulture) + " ms";

    public static Color ChangeColor(TaskChange change) => change switch
    {
        TaskChange.Improved => Color.Success,
        TaskChange.Regressed => Color.Error,
        TaskChange.Both => Color.Info,
        _ => Color.Default,
    };

    public static string Describe(TaskChange change) => change switch
    {
        TaskChange.Improved => "improved",
        TaskChange.Regressed => "regressed",
        TaskChange.Both => "solved by both",
        _ => "solved by neither",
    };

    /// <summary>A row's name: the condition, prefixed with its run when two runs are side by side.</summary>
    public static string RowName(RunComparison comparison, Guid runId, string condition) =>
        comparison.SameRun ? condition : $"{(runId == comparison.BaselineRun.RunId ? "baseline" : "candidate")} · {condition}";

    /// <summary>A rate in percent, as the charts draw it (their axis ticks are whole numbers).</summary>
    public static double Percent(double rate) => Math.Round(rate * 100, 2);

    /// <summary>
    /// pass@k (in percent) with its interval as a floating bar: an invisible segment up to the interval's low end, then the interval
    /// split at the estimate (the darker part below it), so each bar spans exactly the 95% interval.
    /// </summary>
    public static List<ChartSeries<double>> IntervalBars(IEnumerable<(double Value, Interval Ci)> rows)
    {
        var list = rows.ToList();
        return
        [
            new() { Name = "below the interval", Data = new ChartData<double>([.. list.Select(r => Percent(r.Ci.Low))]) },
            new() { Name = "interval up to pass@k", Data = new ChartData<double>([.. list.Select(r => Percent(Math.Max(0, r.Value - r.Ci.Low)))]) },
            new() { Name = "interval above pass@k", Data = new ChartData<double>([.. list.Select(r => Percent(Math.Max(0, r.Ci.High - r.Value)))]) },
        ];
    }
}
