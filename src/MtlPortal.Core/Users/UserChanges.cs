using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Auditing;
using MtlPortal.Persistence;
using MtlPortal.Teams;
using MtlPortal.Validation;

namespace MtlPortal.Users;

/// <summary>What an admin asks for when creating a user.</summary>
public sealed record NewUser(string Email, string Password, string? DisplayName, IReadOnlyCollection<string> Roles, IReadOnlyCollection<string> TeamNames);

/// <summary>
/// The changes behind <see cref="UserAdministration"/>, on one scope's context: Identity's user manager is scoped and
/// writes through the scope's context, so a change and its audit entry share that context's transaction.
/// </summary>
internal sealed class UserChanges(PortalDbContext db, UserManager<PortalUser> users, AuditTrail audit, TimeProvider clock)
{
    // Serialises first-admin creation so that two people submitting the setup page at once cannot both succeed.
    private const long SetupLockKey = 0x4D544C5345545550;

    public Task<bool> AnyAdminAsync(CancellationToken cancellationToken = default) =>
        db.UserRoles.AnyAsync(ur => db.Roles.Any(r => r.Id == ur.RoleId && r.Name == PortalRoles.Admin), cancellationToken);

    /// <summary>Creates the first admin; fails once any admin exists.</summary>
    public async Task<WriteResult<PortalUser>> CreateFirstAdminAsync(string email, string password, string? displayName, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({SetupLockKey})", cancellationToken);
        if (await AnyAdminAsync(cancellationToken))
        {
            return WriteResult<PortalUser>.Fail("", "The portal already has an admin; setup is closed.");
        }

        var result = await CreateInTransactionAsync(new NewUser(email, password, displayName, [PortalRoles.Admin], []), AuditTrail.SetupActor, cancellationToken);
        if (result.Succeeded)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return result;
    }

    public async Task<WriteResult<PortalUser>> CreateUserAsync(NewUser request, string actor, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await CreateInTransactionAsync(request, actor, cancellationToken);
        if (result.Succeeded)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return result;
    }

    public async Task<WriteResult<PortalUser>> SetRolesAsync(string userId, IReadOnlyCollection<string> roles, string actor, CancellationToken cancellationToken = default)
    {
        var wanted = new List<string>();
        foreach (var role in roles)
        {
            if (PortalRoles.Normalize(role) is not { } known)
            {
                return WriteResult<PortalUser>.Fail("Roles", UnknownRoleMessage(role));
            }

            wanted.Add(known);
        }

        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return WriteResult<PortalUser>.Fail("", "That user does not exist.");
        }

        var current = await users.GetRolesAsync(user);
        if (current.Contains(PortalRoles.Admin) && !wanted.Contains(PortalRoles.Admin) && await IsLastActiveAdminAsync(user))
        {
            return WriteResult<PortalUser>.Fail("Roles", "This is the last active admin; make someone else an admin first.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var removed = await users.RemoveFromRolesAsync(user, current.Except(wanted));
        var added = removed.Succeeded ? await users.AddToRolesAsync(user, wanted.Except(current)) : removed;
        if (!added.Succeeded)
        {
            return WriteResult<PortalUser>.Fail(ToFieldErrors(added.Errors));
        }

        audit.Record(db, actor, "user.roles-set", "user", user.Id, $"{string.Join(", ", current.Order())} -> {string.Join(", ", wanted.Order())}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return WriteResult<PortalUser>.Ok(user);
    }

    public async Task<WriteResult<PortalUser>> SetTeamsAsync(string userId, IReadOnlyCollection<Guid> teamIds, string actor, CancellationToken cancellationToken = default)
    {
        var user = await db.Users.Include(u => u.Memberships).FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return WriteResult<PortalUser>.Fail("", "That user does not exist.");
        }

        var known = await db.Teams.Where(t => teamIds.Contains(t.Id)).Select(t => new { t.Id, t.Name }).ToListAsync(cancellationToken);
        if (known.Count != teamIds.Distinct().Count())
        {
            return WriteResult<PortalUser>.Fail("Teams", "One of the chosen teams no longer exists.");
        }

        user.Memberships.RemoveAll(m => !teamIds.Contains(m.TeamId));
        foreach (var id in teamIds.Where(id => user.Memberships.All(m => m.TeamId != id)))
        {
            user.Memberships.Add(new TeamMembership { TeamId = id, UserId = user.Id });
        }

        audit.Record(db, actor, "user.teams-set", "user", user.Id, string.Join(", ", known.Select(t => t.Name).Order()));
        await db.SaveChangesAsync(cancellationToken);
        return WriteResult<PortalUser>.Ok(user);
    }

    /// <summary>Disables or re-enables a user. A disabled user's open sessions end at their next validation.</summary>
    public async Task<WriteResult<PortalUser>> SetDisabledAsync(string userId, bool disabled, string actor)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return WriteResult<PortalUser>.Fail("", "That user does not exist.");
        }

        if (disabled && user.Id == actor)
        {
            return WriteResult<PortalUser>.Fail("", "You cannot disable your own account.");
        }

        if (disabled && await users.IsInRoleAsync(user, PortalRoles.Admin) && await IsLastActiveAdminAsync(user))
        {
            return WriteResult<PortalUser>.Fail("", "This is the last active admin; it cannot be disabled.");
        }

        user.IsDisabled = disabled;
        audit.Record(db, actor, disabled ? "user.disabled" : "user.enabled", "user", user.Id, user.Email);

        // UpdateSecurityStampAsync saves the user and the pending audit entry together.
        var updated = await users.UpdateSecurityStampAsync(user);
        return updated.Succeeded ? WriteResult<PortalUser>.Ok(user) : WriteResult<PortalUser>.Fail(ToFieldErrors(updated.Errors));
    }

    /// <summary>Ends a lock-out caused by repeated failed sign-ins.</summary>
    public async Task<WriteResult<PortalUser>> UnlockAsync(string userId, string actor)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return WriteResult<PortalUser>.Fail("", "That user does not exist.");
        }

        audit.Record(db, actor, "user.unlocked", "user", user.Id, user.Email);
        var unlocked = await users.SetLockoutEndDateAsync(user, null);
        if (unlocked.Succeeded)
        {
            await users.ResetAccessFailedCountAsync(user);
        }

        return unlocked.Succeeded ? WriteResult<PortalUser>.Ok(user) : WriteResult<PortalUser>.Fail(ToFieldErrors(unlocked.Errors));
    }

    /// <summary>Changes the user's own password after checking the current one.</summary>
    public async Task<WriteResult<PortalUser>> ChangePasswordAsync(string userId, string currentPassword, string newPassword)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return WriteResult<PortalUser>.Fail("", "That user does not exist.");
        }

        audit.Record(db, user.Id, "user.password-changed", "user", user.Id);
        var changed = await users.ChangePasswordAsync(user, currentPassword, newPassword);
        return changed.Succeeded
            ? WriteResult<PortalUser>.Ok(user)
            : WriteResult<PortalUser>.Fail(changed.Errors.Select(e => e.Code == "PasswordMismatch"
                ? new FieldError("CurrentPassword", "The current password is wrong.")
                : ToFieldErrors([e]).Single()));
    }

    /// <summary>
    /// Gives a user who forgot their password a new, generated one, for the admin to pass on (shown once, never
    /// stored in the clear). Ends the user's open sessions and any lock-out.
    /// </summary>
    public async Task<WriteResult<string>> ResetPasswordAsync(string userId, string actor, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return WriteResult<string>.Fail("", "That user does not exist.");
        }

        var password = GeneratePassword();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Remove-then-add rather than a reset token: tokens need data protection, which the operator CLI's host
        // does not set up; the transaction keeps the user from ever being left without a password.
        var removed = await users.RemovePasswordAsync(user);
        var reset = removed.Succeeded ? await users.AddPasswordAsync(user, password) : removed;
        if (!reset.Succeeded)
        {
            return WriteResult<string>.Fail(ToFieldErrors(reset.Errors));
        }

        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        audit.Record(db, actor, "user.password-reset", "user", user.Id, user.Email);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return WriteResult<string>.Ok(password);
    }

    /// <summary>Changes the name the portal shows for a user.</summary>
    public async Task<WriteResult<PortalUser>> SetDisplayNameAsync(string userId, string? displayName, string actor, CancellationToken cancellationToken = default)
    {
        var trimmed = displayName?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return WriteResult<PortalUser>.Fail("DisplayName", "Enter a name.");
        }

        if (trimmed.Length > PortalUser.DisplayNameMaxLength)
        {
            return WriteResult<PortalUser>.Fail("DisplayName", $"A display name has at most {PortalUser.DisplayNameMaxLength} characters.");
        }

        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return WriteResult<PortalUser>.Fail("", "That user does not exist.");
        }

        if (user.DisplayName != trimmed)
        {
            audit.Record(db, actor, "user.renamed", "user", user.Id, $"{user.DisplayName} -> {trimmed}");
            user.DisplayName = trimmed;
            await db.SaveChangesAsync(cancellationToken);
        }

        return WriteResult<PortalUser>.Ok(user);
    }

    public async Task<WriteResult<Team>> CreateTeamAsync(string name, string actor, CancellationToken cancellationToken = default)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return WriteResult<Team>.Fail("Name", "Give the team a name.");
        }

        if (trimmed.Length > Team.NameMaxLength)
        {
            return WriteResult<Team>.Fail("Name", $"A team name has at most {Team.NameMaxLength} characters.");
        }

        if (await db.Teams.FindIdByNameAsync(trimmed, cancellationToken) is not null)
        {
            return WriteResult<Team>.Fail("Name", $"A team named '{trimmed}' already exists.");
        }

        var team = new Team { Id = Guid.CreateVersion7(), Name = trimmed, CreatedAt = clock.GetUtcNow() };
        db.Teams.Add(team);
        audit.Record(db, actor, "team.created", "team", team.Id.ToString(), trimmed);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return WriteResult<Team>.Fail("Name", $"A team named '{trimmed}' already exists.");
        }

        return WriteResult<Team>.Ok(team);
    }

    private async Task<WriteResult<PortalUser>> CreateInTransactionAsync(NewUser request, string actor, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var roles = new List<string>();
        foreach (var role in request.Roles)
        {
            if (PortalRoles.Normalize(role) is { } known)
            {
                roles.Add(known);
            }
            else
            {
                errors.Add(new FieldError("Roles", UnknownRoleMessage(role)));
            }
        }

        var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? request.Email?.Split('@')[0].Trim() ?? "" : request.DisplayName.Trim();
        if (displayName.Length > PortalUser.DisplayNameMaxLength)
        {
            errors.Add(new FieldError("DisplayName", $"A display name has at most {PortalUser.DisplayNameMaxLength} characters."));
        }

        if (string.IsNullOrWhiteSpace(request.Password))
        {
            errors.Add(new FieldError("Password", "Enter a password."));
        }

        if (errors.Count > 0)
        {
            return WriteResult<PortalUser>.Fail(errors);
        }

        var email = request.Email?.Trim() ?? "";
        var user = new PortalUser { UserName = email, Email = email, DisplayName = displayName, CreatedAt = clock.GetUtcNow(), LockoutEnabled = true };
        var created = await users.CreateAsync(user, request.Password);
        if (!created.Succeeded)
        {
            return WriteResult<PortalUser>.Fail(ToFieldErrors(created.Errors));
        }

        if (roles.Count > 0)
        {
            var added = await users.AddToRolesAsync(user, roles.Distinct());
            if (!added.Succeeded)
            {
                return WriteResult<PortalUser>.Fail(ToFieldErrors(added.Errors));
            }
        }

        foreach (var teamName in request.TeamNames.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var team = await db.Teams.FindIdByNameAsync(teamName, cancellationToken) is { } teamId ? await db.Teams.FindAsync([teamId], cancellationToken) : null;
            if (team is null)
            {
                var createdTeam = await CreateTeamAsync(teamName, actor, cancellationToken);
                if (!createdTeam.Succeeded)
                {
                    return WriteResult<PortalUser>.Fail(createdTeam.Errors.Select(e => e with { Field = "Teams" }));
                }

                team = createdTeam.Value!;
            }

            db.TeamMemberships.Add(new TeamMembership { TeamId = team.Id, UserId = user.Id });
        }

        audit.Record(db, actor, "user.created", "user", user.Id, $"{email} ({string.Join(", ", roles)})");
        await db.SaveChangesAsync(cancellationToken);
        return WriteResult<PortalUser>.Ok(user);
    }

    private async Task<bool> IsLastActiveAdminAsync(PortalUser user)
    {
        var admins = await users.GetUsersInRoleAsync(PortalRoles.Admin);
        return admins.Where(a => !a.IsDisabled).All(a => a.Id == user.Id);
    }

    // Four groups of four from letters and digits that cannot be misread (no 0/O, 1/l/I), with every character
    // class Identity's default password rules ask for.
    private static string GeneratePassword()
    {
        const string Lower = "abcdefghjkmnpqrstuvwxyz", Upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", Digits = "23456789";
        while (true)
        {
            var groups = Enumerable.Range(0, 4).Select(_ => RandomNumberGenerator.GetString(Lower + Upper + Digits, 4));
            var password = string.Join('-', groups);
            if (password.Any(Lower.Contains) && password.Any(Upper.Contains) && password.Any(Digits.Contains))
            {
                return password;
            }
        }
    }

    private static string UnknownRoleMessage(string role) =>
        $"'{role}' is not a role. Roles: {string.Join(", ", PortalRoles.All)}.";

    private static IEnumerable<FieldError> ToFieldErrors(IEnumerable<IdentityError> errors) =>
        errors.Select(e => new FieldError(
            e.Code.StartsWith("Password", StringComparison.Ordinal) ? "Password"
            : e.Code is "DuplicateUserName" or "DuplicateEmail" or "InvalidEmail" or "InvalidUserName" ? "Email"
            : "",
            e.Code is "DuplicateUserName" or "DuplicateEmail" ? "A user with this email already exists." : e.Description))
        .Distinct();
}
