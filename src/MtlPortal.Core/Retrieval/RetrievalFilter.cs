using MtlPortal.Memories;

namespace MtlPortal.Retrieval;

/// <summary>
/// Which memories are eligible for a search. The index applies the filter before ranking, so a search returns the
/// top k among eligible memories, never the top k of the whole pool with the ineligible ones dropped afterwards.
/// </summary>
/// <remarks>
/// For the optional allow-lists (<see cref="Teams"/>, <see cref="SourceModels"/>) <c>null</c> means "any", while
/// an empty list matches nothing: a caller who belongs to no team sees no team's memories rather than all of them.
/// </remarks>
public sealed record RetrievalFilter
{
    /// <summary>Kinds to retrieve. Defaults to insights only, the kind that transfers best across domains.</summary>
    public IReadOnlyCollection<MemoryKind> Kinds { get; init; } = [MemoryKind.Insight];

    /// <summary>
    /// Domains whose memories are left out (leave-one-domain-out: the task's own domain). Exact names, compared
    /// case-insensitively.
    /// </summary>
    public IReadOnlyCollection<string> ExcludeDomains { get; init; } = [];

    /// <summary>Teams whose memories are eligible; <c>null</c> for any team.</summary>
    public IReadOnlyCollection<Guid>? Teams { get; init; }

    /// <summary>Source models whose memories are eligible (case-insensitive exact names); <c>null</c> for any model.</summary>
    public IReadOnlyCollection<string>? SourceModels { get; init; }

    /// <summary>The lowest abstraction score that is eligible (inclusive); <c>null</c> for no minimum.</summary>
    public double? MinAbstraction { get; init; }

    /// <summary>
    /// The only memories that are eligible (a run's frozen pool); <c>null</c> for any. A memory outside it is never
    /// ranked, so the top k come from within it.
    /// </summary>
    public IReadOnlySet<Guid>? Memories { get; init; }
}
