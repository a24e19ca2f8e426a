using MtlPortal.Memories;
using MtlPortal.Retrieval;

namespace MtlPortal.Runs;

/// <summary>
/// Which approved memories a run may retrieve: those of the conditions' kinds, from no left-out domain, and (when
/// given) from the chosen source models and teams with at least the minimum abstraction score. The one definition
/// used to freeze a run's pool and to preview it on the New run page.
/// </summary>
public sealed record RunPoolFilter(
    IReadOnlyCollection<MemoryKind> Kinds,
    IReadOnlyCollection<string> ExcludeDomains,
    IReadOnlyCollection<string>? SourceModels = null,
    IReadOnlyCollection<Guid>? TeamIds = null,
    double? MinAbstraction = null)
{
    public static RunPoolFilter For(IEnumerable<string> conditions, IReadOnlyCollection<string> excludeDomains, IReadOnlyCollection<string>? sourceModels, IReadOnlyCollection<Guid>? teamIds, double? minAbstraction) =>
        new([.. conditions.Select(RunConditions.Kind).OfType<MemoryKind>().Distinct()], excludeDomains, sourceModels, teamIds, minAbstraction);

    public bool Matches(ServedMemory memory) =>
        Kinds.Contains(memory.Content.Kind)
        && !ExcludeDomains.Contains(memory.Provenance.SourceDomain, StringComparer.OrdinalIgnoreCase)
        && (SourceModels is not { Count: > 0 } models || models.Contains(memory.Provenance.SourceModel, StringComparer.OrdinalIgnoreCase))
        && (TeamIds is not { Count: > 0 } teams || teams.Contains(memory.TeamId))
        && (MinAbstraction is not { } min || memory.AbstractionScore >= min);

    /// <summary>The matching memories, in a stable order (by id), as a run freezes them.</summary>
    public List<ServedMemory> Select(IEnumerable<ServedMemory> served) => [.. served.Where(Matches).OrderBy(m => m.MemoryId)];
}
