using Microsoft.EntityFrameworkCore;
using MtlPortal.Persistence;

namespace MtlPortal.Memories;

/// <summary>Builds the <see cref="Actor"/> for a user from the database: their roles and teams as they are now.</summary>
public sealed class ActorDirectory(IDbContextFactory<PortalDbContext> contexts)
{
    /// <summary>The user as an actor, or null when the user does not exist or is disabled.</summary>
    public async Task<Actor?> GetAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId && !u.IsDisabled).Select(u => u.Id).FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return null;
        }

        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == userId select r.Name!).ToListAsync(cancellationToken);
        var teams = await db.TeamMemberships.Where(m => m.UserId == userId).Select(m => m.TeamId).ToListAsync(cancellationToken);
        return new Actor(userId, roles.ToHashSet(), teams.ToHashSet());
    }
}
