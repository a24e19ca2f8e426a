using Microsoft.AspNetCore.Components.Authorization;
using MtlPortal.Memories;
using MtlPortal.Validation;

namespace MtlPortal.Web.Components.Memories;

public static class WorkflowWrites
{
    /// <summary>Runs one write to memories as the signed-in user; a disabled or deleted account is refused.</summary>
    public static async Task<WriteResult<T>> AsCurrentUserAsync<T>(
        this ActorDirectory actors,
        Task<AuthenticationState> authenticationState,
        Func<Actor, Task<WriteResult<T>>> write) =>
        await actors.CurrentAsync(authenticationState) is { } actor
            ? await write(actor)
            : WriteResult<T>.Forbidden(ActorLookup.NoActorMessage);

    /// <summary>The errors of a failed write as one sentence for a notification; null when it succeeded.</summary>
    public static string? Message<T>(this WriteResult<T> result) =>
        result.Succeeded ? null : string.Join(" ", result.Errors.Select(e => e.Message));
}
