using System.Globalization;
using System.Text;

namespace MtlPortal.Dashboards;

/// <summary>A comparison as CSV files: one row per condition (the figures), or one per condition × task (the pairs).</summary>
public static class ComparisonCsv
{
    public static string Conditions(RunComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var text = new StringBuilder("run,baselineRun,baseline,condition,k,tasks,baselinePassAtK,passAtK,ci95Low,ci95High,delta,deltaCi95Low,deltaCi95High,mcnemarP,improved,regressed,both,neither,withinNoise\n");
        foreach (var p in comparison.Paired)
        {
            Row(text,
                comparison.Run.RunId.ToString(), comparison.BaselineRun.RunId.ToString(), comparison.BaselineCondition, p.Condition, Number(comparison.K), Number(p.Tasks),
                Number(p.BaselinePassAtK), Number(p.PassAtK), Number(p.Ci95.Low), Number(p.Ci95.High),
                Number(p.Delta), Number(p.DeltaCi95.Low), Number(p.DeltaCi95.High), Number(p.McNemarP),
                Number(p.Improved), Number(p.Regressed), Number(p.Both), Number(p.Neither), p.WithinNoise ? "true" : "false");
        }

        return text.ToString();
    }

    public static string Tasks(RunComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var text = new StringBuilder("condition,benchmark,task,change,baselinePassed,baselineAttempts,passed,attempts\n");
        foreach (var t in comparison.Tasks)
        {
            Row(text, t.Condition, t.Benchmark, t.Task, t.Change.ToString().ToLowerInvariant(),
                Number(t.BaselinePassed), Number(t.BaselineAttempts), Number(t.CandidatePassed), Number(t.CandidateAttempts));
        }

        return text.ToString();
    }

    private static string Number(double value) => Math.Round(value, 6).ToString(CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Row(StringBuilder text, params string[] fields) => text.AppendJoin(',', fields.Select(Quote)).Append('\n');

    // A leading =, +, - or @ would run as a formula in a spreadsheet; task names come from imported files.
    private static string Quote(string field)
    {
        if (field.Length > 0 && "=+@".Contains(field[0], StringComparison.Ordinal) && !double.TryParse(field, CultureInfo.InvariantCulture, out _))
        {
            field = "'" + field;
        }

        return field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
