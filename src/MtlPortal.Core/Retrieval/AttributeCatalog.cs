using System.Collections.Concurrent;

namespace MtlPortal.Retrieval;

/// <summary>
/// Maps the filterable string and Guid attributes to small integers, so that a row's eligibility is a few array
/// look-ups in the scan loop rather than string comparisons.
/// </summary>
/// <remarks>
/// Only the writer (under the index's write lock) adds ids; searches look them up concurrently, which is why the
/// maps are concurrent dictionaries. Ids are never reused, so a search whose snapshot predates a new id simply has
/// no row carrying it. Ids of attributes whose last memory was removed live on until the next ReplaceAll.
/// </remarks>
internal sealed class AttributeCatalog
{
    public Interner<string> Domains { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Interner<Guid> Teams { get; } = new(EqualityComparer<Guid>.Default);

    public Interner<string> Models { get; } = new(StringComparer.OrdinalIgnoreCase);

    public RowAttributes Intern(IndexedMemory memory) => new(
        memory.Kind,
        Domains.Intern(memory.SourceDomain),
        Teams.Intern(memory.TeamId),
        Models.Intern(memory.SourceModel),
        memory.AbstractionScore);
}

/// <summary>Assigns dense ids 0, 1, 2… to distinct keys; see <see cref="AttributeCatalog"/> for the threading rules.</summary>
internal sealed class Interner<TKey>(IEqualityComparer<TKey> comparer)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, int> _ids = new(comparer);

    /// <summary>The number of ids assigned so far. Writer-only: searches use the count published in their snapshot.</summary>
    public int Count { get; private set; }

    public int Intern(TKey key)
    {
        if (!_ids.TryGetValue(key, out int id))
        {
            id = Count++;
            _ids[key] = id;
        }

        return id;
    }

    public bool TryGetId(TKey key, out int id) => _ids.TryGetValue(key, out id);
}

/// <summary>A row's filterable attributes, with strings and Guids replaced by <see cref="AttributeCatalog"/> ids.</summary>
internal readonly record struct RowAttributes(
    Memories.MemoryKind Kind,
    int DomainId,
    int TeamId,
    int ModelId,
    double AbstractionScore);
