using MtlPortal.Memories;

namespace MtlPortal.Teams;

public static class TeamQueries
{
    /// <summary>
    /// The teams a person may put memories in (write, import, generate into): every team for an admin, otherwise
    /// the teams they belong to. The pages offer these; the writes check the same rule through <see cref="Actor"/>.
    /// </summary>
    public static IQueryable<Team> OpenTo(this IQueryable<Team> teams, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.IsAdmin)
        {
            return teams;
        }

        var own = actor.TeamIds.ToList();
        return teams.Where(t => own.Contains(t.Id));
    }
}
