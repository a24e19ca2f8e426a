using System.Text.Json.Serialization;
using MtlPortal.Validation;

namespace MtlPortal.Dashboards;

/// <summary>One cell of the cross-model table: memories from these source models, used by this target model.</summary>
public sealed record CrossModelCell(
    string SourceModels, string TargetModel, string Condition, Guid RunId, int Tasks, double BaselinePassAtK, double PassAtK, double Delta, Interval DeltaCi95, [property: JsonPropertyName("mcnemarP")] double McNemarP);

/// <summary>Loads runs and compares them; the pages and the API both come here, so they show the same numbers.</summary>
public sealed class RunComparisons(RunOutcomeReader reader)
{
    public const string DefaultBaseline = "zero-shot";

    /// <summary>
    /// Every condition of run <paramref name="runId"/> against <paramref name="baseline"/>: that condition of the same run,
    /// (zero-shot when not given), or of run <paramref name="againstRunId"/> when given (two runs side by side: a baseline run and a candidate run).
    /// </summary>
    public async Task<WriteResult<RunComparison>> CompareAsync(Guid runId, string? baseline, Guid? againstRunId, CancellationToken cancellationToken = default)
    {
        var run = await reader.ReadAsync(runId, cancellationToken);
        if (run is null)
        {
            return WriteResult<RunComparison>.NotFound("There is no run with this id.");
        }

        var against = run;
        if (againstRunId is { } otherId && otherId != runId)
        {
            against = await reader.ReadAsync(otherId, cancellationToken);
            if (against is null)
            {
                return WriteResult<RunComparison>.Fail("against", "There is no run with the id given as the baseline run.");
            }
        }

        // Without a choice: zero-shot, or the first condition of a run that has none (memory conditions only).
        var condition = !string.IsNullOrWhiteSpace(baseline) ? baseline.Trim()
            : against.Conditions.Contains(DefaultBaseline) || against.Conditions.Count == 0 ? DefaultBaseline : against.Conditions[0];
        if (!against.Conditions.Contains(condition, StringComparer.Ordinal))
        {
            return WriteResult<RunComparison>.Fail("baseline",
                $"The baseline run has no condition '{condition}'; it has {string.Join(", ", against.Conditions)}.");
        }

        return WriteResult<RunComparison>.Ok(RunComparer.Compare(run, condition, ReferenceEquals(against, run) ? null : against));
    }

    /// <summary>
    /// The paper's cross-model table: for every run that filtered memories by source model, each memory condition's
    /// paired difference to its zero-shot; the latest run of a source × target × condition counts.
    /// </summary>
    public async Task<IReadOnlyList<CrossModelCell>> CrossModelAsync(CancellationToken cancellationToken = default)
    {
        var cells = new Dictionary<(string, string, string), CrossModelCell>();
        foreach (var run in await reader.SourceModelRunsAsync(cancellationToken))
        {
            if (!run.Conditions.Contains(DefaultBaseline))
            {
                continue;
            }

            var sources = string.Join(", ", run.SourceModels!.Order(StringComparer.OrdinalIgnoreCase));
            foreach (var paired in RunComparer.Compare(run, DefaultBaseline).Paired.Where(p => p.Tasks > 0))
            {
                cells[(sources, run.Model, paired.Condition)] = new CrossModelCell(
                    sources, run.Model, paired.Condition, run.RunId, paired.Tasks, paired.BaselinePassAtK, paired.PassAtK, paired.Delta, paired.DeltaCi95, paired.McNemarP);
            }
        }

        return [.. cells.Values.OrderBy(c => c.SourceModels, StringComparer.OrdinalIgnoreCase).ThenBy(c => c.TargetModel, StringComparer.OrdinalIgnoreCase).ThenBy(c => c.Condition, StringComparer.Ordinal)];
    }
}
