using System.Runtime.CompilerServices;

namespace MtlPortal.Retrieval;

/// <summary>A <see cref="RetrievalFilter"/> resolved against one snapshot's attribute ids, for the scan loop.</summary>
internal sealed class RowFilter
{
    private readonly int _kindMask;
    private readonly bool[]? _excludedDomains;
    private readonly bool[]? _allowedTeams;
    private readonly bool[]? _allowedModels;
    private readonly double _minAbstraction;
    private readonly bool[]? _allowedRows;

    private RowFilter(int kindMask, bool[]? excludedDomains, bool[]? allowedTeams, bool[]? allowedModels, double minAbstraction, bool[]? allowedRows)
    {
        _allowedRows = allowedRows;
        _kindMask = kindMask;
        _excludedDomains = excludedDomains;
        _allowedTeams = allowedTeams;
        _allowedModels = allowedModels;
        _minAbstraction = minAbstraction;
    }

    /// <summary>True when no row can pass, so the scan can be skipped.</summary>
    public bool MatchesNothing =>
        _kindMask == 0 || !AnySet(_allowedTeams) || !AnySet(_allowedModels) || !AnySet(_allowedRows);

    public static RowFilter Compile(RetrievalFilter filter, PoolSnapshot snapshot)
    {
        if (filter.Kinds is null || filter.ExcludeDomains is null)
        {
            throw new ArgumentException("A retrieval filter's Kinds and ExcludeDomains must not be null.", nameof(filter));
        }

        if (filter.MinAbstraction is double min && double.IsNaN(min))
        {
            throw new ArgumentException("A retrieval filter's MinAbstraction must be a number.", nameof(filter));
        }

        int kindMask = 0;
        foreach (var kind in filter.Kinds)
        {
            if (Enum.IsDefined(kind))
            {
                kindMask |= 1 << (int)kind;
            }
        }

        AttributeCatalog catalog = snapshot.Storage.Catalog;
        bool[]? excludedDomains = null;
        if (filter.ExcludeDomains.Count > 0)
        {
            excludedDomains = Flags(filter.ExcludeDomains, catalog.Domains, snapshot.DomainCount);
        }

        return new RowFilter(
            kindMask,
            excludedDomains,
            filter.Teams is null ? null : Flags(filter.Teams, catalog.Teams, snapshot.TeamCount),
            filter.SourceModels is null ? null : Flags(filter.SourceModels, catalog.Models, snapshot.ModelCount),
            filter.MinAbstraction ?? double.NegativeInfinity,
            filter.Memories is null ? null : Rows(filter.Memories, snapshot));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Accepts(int row, in RowAttributes attributes) =>
        (_allowedRows is null || _allowedRows[row]) && Accepts(in attributes);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Accepts(in RowAttributes row) =>
        (_kindMask & (1 << (int)row.Kind)) != 0
        && (_excludedDomains is null || !_excludedDomains[row.DomainId])
        && (_allowedTeams is null || _allowedTeams[row.TeamId])
        && (_allowedModels is null || _allowedModels[row.ModelId])
        && row.AbstractionScore >= _minAbstraction;

    // Names the snapshot has never seen get no flag: no row of the snapshot can carry them.
    private static bool[] Flags<TKey>(IEnumerable<TKey> keys, Interner<TKey> interner, int count)
        where TKey : notnull
    {
        var flags = new bool[count];
        foreach (var key in keys)
        {
            if (key is not null && interner.TryGetId(key, out int id) && id < count)
            {
                flags[id] = true;
            }
        }

        return flags;
    }

    // One pass over the snapshot's ids per search: cheap beside the scan itself, and it keeps the scan's test an array read.
    private static bool[] Rows(IReadOnlySet<Guid> memories, PoolSnapshot snapshot)
    {
        var ids = snapshot.Storage.Ids;
        var rows = new bool[snapshot.RowCount];
        for (var row = 0; row < rows.Length; row++)
        {
            rows[row] = memories.Contains(ids[row]);
        }

        return rows;
    }

    private static bool AnySet(bool[]? flags) => flags is null || Array.IndexOf(flags, true) >= 0;
}
