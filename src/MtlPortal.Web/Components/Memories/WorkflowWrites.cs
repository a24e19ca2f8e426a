using Microsoft.AspNetCore.Components.Authorization;
using MtlPortal.Memories;
using MtlPortal.Validation;

namespace MtlPortal.Web.Components.Memories;

public static class WorkflowWrites
{
    /// <summary>
    /// Runs one <see cref="MemoryWorkflow"/> write as the signed-in user, in a scope of its own: interactive pages live
    /// as long as their circuit and must never hold a scoped DbContext. A disabled or deleted account is refused.
    /// </summary>
    public static async Task<WriteResult<T>> RunAsync<T>(
        this IServiceScopeFactory scopes,
        ActorDirectory actors,
        Task<AuthenticationState> authenticationState,
        Func<MemoryWorkflow, Actor, Task<WriteResult<T>>> write)
    {
        if (await actors.CurrentAsync(authenticationState) is not { } actor)
        {
            return WriteResult<T>.Forbidden(ActorLookup.NoActorMessage);
        }

        await using var scope = scopes.CreateAsyncScope();
        return await write(scope.ServiceProvider.GetRequiredService<MemoryWorkflow>(), actor);
    }

    /// <summary>The errors of a failed write as one sentence for a notification; null when it succeeded.</summary>
    public static string? Message<T>(this WriteResult<T> result) =>
        result.Succeeded ? null : string.Join(" ", result.Errors.Select(e => e.Message));
}
