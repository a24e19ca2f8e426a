using MtlPortal.Benchmarks;
using MtlPortal.Sandbox;
using MudBlazor;

namespace MtlPortal.Web.Components.Benchmarks;

/// <summary>How the benchmark pages word a benchmark's and a task's reference checks.</summary>
public static class BenchmarkView
{
    public static string References(BenchmarkSummary benchmark)
    {
        var withReference = benchmark.Tasks - benchmark.WithoutReference;
        if (withReference == 0)
        {
            return "none to verify";
        }

        if (benchmark.Verified == 0)
        {
            return $"{withReference} not verified";
        }

        var text = $"{benchmark.Verified} of {withReference} verified: {benchmark.Passed} passed, {benchmark.Failed} failed";
        return benchmark.Verified < withReference ? text + $", {withReference - benchmark.Verified} not verified" : text;
    }

    /// <summary>passed, failed (with the verdict), not verified, or no reference.</summary>
    public static string Reference(BenchmarkTask task) => task switch
    {
        { ReferenceSolution: null } => "no reference",
        { ReferencePassed: null } => "not verified",
        { ReferencePassed: true } => "passed",
        _ => Runs.RunView.Describe(task.ReferenceVerdict ?? SandboxVerdict.Failed, null),
    };

    public static Color ReferenceColor(BenchmarkTask task) => task.ReferencePassed switch
    {
        true => Color.Success,
        false => Color.Error,
        null => Color.Default,
    };
}
