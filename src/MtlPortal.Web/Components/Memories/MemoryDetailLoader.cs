using Microsoft.AspNetCore.Components.Authorization;
using MtlPortal.Memories;
using MtlPortal.Memories.Abstraction;

namespace MtlPortal.Web.Components.Memories;

/// <summary>What a page wants loaded beside a memory's details; each costs a query, so only what the page shows.</summary>
[Flags]
public enum MemoryDetailExtras
{
    None = 0,

    /// <summary>The newest revision's standing, to decide which actions to offer.</summary>
    Standing = 1,

    /// <summary>Approved or in-review memories that read much like the newest revision.</summary>
    NearDuplicates = 2,
}

/// <summary>A memory as the signed-in user may see it, with the linter's findings on its newest revision.</summary>
/// <param name="Actor">Who it was loaded for.</param>
/// <param name="Standing">Null unless asked for, or when the actor may only read the memory.</param>
/// <param name="NearDuplicates">Empty unless asked for.</param>
public sealed record LoadedMemory(
    Actor Actor,
    MemoryDetails Details,
    IReadOnlyList<AbstractionFinding> Findings,
    LatestRevisionStanding? Standing,
    IReadOnlyList<SimilarMemory> NearDuplicates);

/// <summary>The outcome of <see cref="MemoryDetailLoader.LoadAsync"/>.</summary>
/// <param name="Memory">Null when there is nothing to show: the account is gone (<paramref name="NoActor"/>), or the memory does
/// not exist or is not visible to the user (the two look the same, so that an unapproved memory's existence stays hidden).</param>
public sealed record MemoryDetailLoad(LoadedMemory? Memory, bool NoActor);

/// <summary>
/// Loads one memory the way the memory's page and the review queue both show it: the user read afresh (a role or
/// team change applies at once to a long-lived circuit), the memory as that user may see it, the linter's findings.
/// </summary>
public sealed class MemoryDetailLoader(ActorDirectory actors, MemoryQueries queries, MemoryAnalyzer analyzer, LatestRevisionQueries revisions)
{
    public async Task<MemoryDetailLoad> LoadAsync(Task<AuthenticationState> authenticationState, Guid memoryId, MemoryDetailExtras extras)
    {
        var actor = await actors.CurrentAsync(authenticationState);
        if (actor is null)
        {
            return new MemoryDetailLoad(null, NoActor: true);
        }

        var details = await queries.DetailsAsync(actor, memoryId);
        if (details is null)
        {
            return new MemoryDetailLoad(null, NoActor: false);
        }

        var findings = (await analyzer.LintAsync(details.Latest.Content)).Findings;
        var standing = extras.HasFlag(MemoryDetailExtras.Standing) ? await revisions.StandingAsync(actor, memoryId) : null;
        var nearDuplicates = extras.HasFlag(MemoryDetailExtras.NearDuplicates) ? await revisions.NearDuplicatesAsync(actor, memoryId) : [];
        return new MemoryDetailLoad(new LoadedMemory(actor, details, findings, standing, nearDuplicates), NoActor: false);
    }
}
