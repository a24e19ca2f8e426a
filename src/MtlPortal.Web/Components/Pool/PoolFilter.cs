using MtlPortal.Memories;

namespace MtlPortal.Web.Components.Pool;

/// <summary>What the pool is narrowed to on the Pool page; empty lists narrow nothing.</summary>
public sealed record PoolFilter(
    IReadOnlyList<MemoryKind> Kinds,
    IReadOnlyList<string> Domains,
    IReadOnlyList<Guid> Teams,
    IReadOnlyList<string> SourceModels,
    IReadOnlyList<string> Tags)
{
    public static PoolFilter None { get; } = new([], [], [], [], []);

    public bool IsEmpty => Kinds.Count == 0 && Domains.Count == 0 && Teams.Count == 0 && SourceModels.Count == 0 && Tags.Count == 0;
}

/// <summary>A team as a filter offers it.</summary>
public sealed record TeamOption(Guid Id, string Name);

/// <summary>The choices the filters offer: what the approved pool actually holds.</summary>
public sealed record PoolFacets(IReadOnlyList<string> Domains, IReadOnlyList<TeamOption> Teams, IReadOnlyList<string> SourceModels, IReadOnlyList<string> Tags)
{
    public static PoolFacets None { get; } = new([], [], [], []);
}
