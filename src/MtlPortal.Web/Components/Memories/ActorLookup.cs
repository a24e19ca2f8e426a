using Microsoft.AspNetCore.Components.Authorization;
using MtlPortal.Memories;
using MtlPortal.Web.Accounts;

namespace MtlPortal.Web.Components.Memories;

public static class ActorLookup
{
    /// <summary>
    /// The signed-in user as an <see cref="Actor"/>, read afresh for each operation so that a role or team change
    /// applies at once to a long-lived circuit; null when the account is disabled or gone.
    /// </summary>
    public static async Task<Actor?> CurrentAsync(this ActorDirectory directory, Task<AuthenticationState> authenticationState, CancellationToken cancellationToken = default) =>
        await directory.GetAsync(UserIds.Of((await authenticationState).User), cancellationToken);

    /// <summary>What the pages say when <see cref="CurrentAsync"/> finds no actor.</summary>
    public const string NoActorMessage = "Your account is disabled or no longer exists; sign in again.";
}
