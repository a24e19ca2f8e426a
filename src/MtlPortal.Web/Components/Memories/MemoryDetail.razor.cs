using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MtlPortal.Memories;
using MtlPortal.Memories.Abstraction;
using MtlPortal.Settings;
using MtlPortal.Validation;
using MtlPortal.Web.Components.Review;
using MudBlazor;

namespace MtlPortal.Web.Components.Memories;

/// <summary>
/// One memory. Its team (and admins) see every revision with what changed from the one before, the whole review
/// thread and the actions their role allows; everyone else sees only the approved revision the pool serves.
/// </summary>
public sealed partial class MemoryDetail
{
    private MemoryDetails? _details;
    private IReadOnlyList<AbstractionFinding>? _findings;
    private double _minimumInsightScore = ReviewSettings.Defaults.MinInsightAbstraction;
    private Abilities _can = Abilities.None;
    private string? _loadError;
    private bool _busy;

    [Inject]
    public required MemoryDetailLoader Loader { get; init; }

    [Inject]
    public required MemoryAuthoring Authoring { get; init; }

    [Inject]
    public required ActorDirectory Actors { get; init; }

    [Inject]
    public required ReviewSettingsStore SettingsStore { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Parameter]
    public Guid Id { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        _minimumInsightScore = (await SettingsStore.GetAsync()).MinInsightAbstraction;

        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        switch (await Loader.LoadAsync(AuthenticationState, Id, MemoryDetailExtras.Standing))
        {
            case { Memory: { } memory }:
                _findings = memory.Findings;
                _can = memory.Standing is { } standing ? Abilities.Of(memory.Actor, standing) : Abilities.None;
                _details = memory.Details;
                break;
            case { NoActor: true }:
                _loadError = ActorLookup.NoActorMessage;
                break;
            default:
                // Missing and not visible look the same, so the page does not reveal that an unapproved memory exists.
                _details = null;
                Navigation.NotFound();
                break;
        }
    }

    private Task SubmitAsync() =>
        WriteAsync("Submitted for review", (actor, details) => Authoring.SubmitAsync(actor, details.Id, details.Version));

    private Task WithdrawAsync() =>
        WriteAsync("Withdrawn from review", (actor, details) => Authoring.WithdrawAsync(actor, details.Id, details.Version));

    private async Task ArchiveAsync()
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Archive this memory?",
            "Archived memories are no longer served to agents, for good. The memory stays readable here as history.",
            yesText: "Archive", cancelText: "Keep it");
        if (confirmed == true)
        {
            await WriteAsync("Archived", (actor, details) => Authoring.ArchiveAsync(actor, details.Id, null, details.Version));
        }
    }

    private async Task WriteAsync(string success, Func<Actor, MemoryDetails, Task<WriteResult<Memory>>> write)
    {
        if (_busy || _details is not { } details)
        {
            return;
        }

        _busy = true;
        try
        {
            var result = await Actors.AsCurrentUserAsync(AuthenticationState, actor => write(actor, details));
            await ShowResultAsync(success, result.Failure, result.Message());
        }
        finally
        {
            _busy = false;
        }
    }

    private Task ReviewedAsync(ReviewActionResult result) => ShowResultAsync(
        result.Decision switch
        {
            ReviewDecision.Approve => "Approved",
            ReviewDecision.RequestChanges => "Changes requested",
            ReviewDecision.Reject => "Rejected",
            _ => "Comment added",
        },
        result.Failure,
        result.Message);

    private async Task ShowResultAsync(string success, WriteFailure failure, string? message)
    {
        if (failure == WriteFailure.None)
        {
            Snackbar.Add($"{success}: {_details?.Latest.Content.DisplayTitle}", Severity.Success);
        }
        else
        {
            Snackbar.Add($"Not saved: {message}", failure == WriteFailure.Conflict ? Severity.Warning : Severity.Error, o => o.VisibleStateDuration = 10_000);
        }

        // Whatever happened, show the memory as it is now (after a conflict, as the other person left it).
        await LoadAsync();
    }

    /// <summary>What the signed-in user may do with the memory now, by <see cref="MemoryLifecycle"/>'s rules.</summary>
    private sealed record Abilities(bool Edit, bool Submit, bool Withdraw, bool Review, bool Archive, bool Comment)
    {
        public static readonly Abilities None = new(false, false, false, false, false, false);

        public bool Any => Edit || Submit || Withdraw || Archive;

        public static Abilities Of(Actor actor, LatestRevisionStanding standing)
        {
            var facts = standing.Facts;
            var editDraft = MemoryLifecycle.CanEditDraft(actor, facts).Allowed;
            return new Abilities(
                Edit: editDraft || MemoryLifecycle.CanRevise(actor, facts).Allowed,
                Submit: editDraft,
                Withdraw: MemoryLifecycle.CanWithdraw(actor, facts, standing.AnyDecision).Allowed,
                // Asked with a comment, so the answer is whether this person reviews it at all; the comment and
                // repeated approvals are checked when they decide.
                Review: MemoryLifecycle.CanReview(actor, facts, ReviewDecision.RequestChanges, "(comment)").Allowed,
                Archive: MemoryLifecycle.CanArchive(actor, facts).Allowed,
                Comment: MemoryLifecycle.CanComment(actor, facts).Allowed);
        }
    }
}
