using Microsoft.EntityFrameworkCore;

namespace MtlPortal.Teams;

/// <summary>
/// A team named by people (an import file, the API, a search filter, a run, the admin pages) is found the same way
/// everywhere: by its name, trimmed, whatever its case, as admins cannot create two names that differ only in case.
/// </summary>
public static class TeamNames
{
    /// <summary>How two team names are compared.</summary>
    public static readonly StringComparer Comparer = StringComparer.OrdinalIgnoreCase;

    /// <summary>Every team's id by its name, for callers that look up many names at once.</summary>
    public static async Task<Dictionary<string, Guid>> IdsByNameAsync(this IQueryable<Team> teams, CancellationToken cancellationToken = default)
    {
        var byName = new Dictionary<string, Guid>(Comparer);
        foreach (var team in await teams.AsNoTracking().Select(t => new { t.Name, t.Id }).ToListAsync(cancellationToken))
        {
            byName.TryAdd(team.Name, team.Id);
        }

        return byName;
    }

    /// <summary>The id of the team named <paramref name="name"/>; null when there is none.</summary>
    public static async Task<Guid?> FindIdByNameAsync(this IQueryable<Team> teams, string name, CancellationToken cancellationToken = default) =>
        (await teams.IdsByNameAsync(cancellationToken)).TryGetValue(name.Trim(), out var id) ? id : null;
}
