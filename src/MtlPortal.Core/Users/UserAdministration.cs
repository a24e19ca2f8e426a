using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Teams;
using MtlPortal.Validation;

namespace MtlPortal.Users;

/// <summary>
/// Every change to users and teams, for the setup page, the admin pages and the operator CLI alike. Each
/// method writes the change and its audit entry in one transaction, in a scope of its own (Identity's user
/// manager is scoped), so callers hold neither a scope nor a context.
/// </summary>
public sealed class UserAdministration(IServiceScopeFactory scopes)
{
    public Task<bool> AnyAdminAsync(CancellationToken cancellationToken = default) =>
        InScopeAsync(changes => changes.AnyAdminAsync(cancellationToken));

    /// <summary>Creates the first admin; fails once any admin exists.</summary>
    public Task<WriteResult<PortalUser>> CreateFirstAdminAsync(string email, string password, string? displayName, CancellationToken cancellationToken = default) =>
        InScopeAsync(changes => changes.CreateFirstAdminAsync(email, password, displayName, cancellationToken));

    public Task<WriteResult<PortalUser>> CreateUserAsync(NewUser request, string actor, CancellationToken cancellationToken = default) =>
        InScopeAsync(changes => changes.CreateUserAsync(request, actor, cancellationToken));

    public Task<WriteResult<PortalUser>> SetRolesAsync(string userId, IReadOnlyCollection<string> roles, string actor, CancellationToken cancellationToken = default) =>
        InScopeAsync(changes => changes.SetRolesAsync(userId, roles, actor, cancellationToken));

    public Task<WriteResult<PortalUser>> SetTeamsAsync(string userId, IReadOnlyCollection<Guid> teamIds, string actor, CancellationToken cancellationToken = default) =>
        InScopeAsync(changes => changes.SetTeamsAsync(userId, teamIds, actor, cancellationToken));

    /// <summary>Disables or re-enables a user. A disabled user's open sessions end at their next validation.</summary>
    public Task<WriteResult<PortalUser>> SetDisabledAsync(string userId, bool disabled, string actor) =>
        InScopeAsync(changes => changes.SetDisabledAsync(userId, disabled, actor));

    /// <summary>Ends a lock-out caused by repeated failed sign-ins.</summary>
    public Task<WriteResult<PortalUser>> UnlockAsync(string userId, string actor) =>
        InScopeAsync(changes => changes.UnlockAsync(userId, actor));

    /// <summary>Changes the user's own password after checking the current one.</summary>
    public Task<WriteResult<PortalUser>> ChangePasswordAsync(string userId, string currentPassword, string newPassword) =>
        InScopeAsync(changes => changes.ChangePasswordAsync(userId, currentPassword, newPassword));

    /// <summary>
    /// Gives a user who forgot their password a new, generated one, for the admin to pass on (shown once, never
    /// stored in the clear). Ends the user's open sessions and any lock-out.
    /// </summary>
    public Task<WriteResult<string>> ResetPasswordAsync(string userId, string actor, CancellationToken cancellationToken = default) =>
        InScopeAsync(changes => changes.ResetPasswordAsync(userId, actor, cancellationToken));

    /// <summary>Changes the name the portal shows for a user.</summary>
    public Task<WriteResult<PortalUser>> SetDisplayNameAsync(string userId, string? displayName, string actor, CancellationToken cancellationToken = default) =>
        InScopeAsync(changes => changes.SetDisplayNameAsync(userId, displayName, actor, cancellationToken));

    public Task<WriteResult<Team>> CreateTeamAsync(string name, string actor, CancellationToken cancellationToken = default) =>
        InScopeAsync(changes => changes.CreateTeamAsync(name, actor, cancellationToken));

    private async Task<T> InScopeAsync<T>(Func<UserChanges, Task<T>> change)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await change(scope.ServiceProvider.GetRequiredService<UserChanges>());
    }
}
