using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.JSInterop;
using MtlPortal.Memories;
using MtlPortal.Memories.Abstraction;
using MtlPortal.Persistence;
using MtlPortal.Reviews;
using MtlPortal.Settings;
using MtlPortal.Validation;
using MtlPortal.Web.Components.Memories;
using MudBlazor;

namespace MtlPortal.Web.Components.Review;

/// <summary>
/// The reviewer's queue: revisions waiting for this reviewer, oldest first, on the left; the selected one on the
/// right with its findings, near-duplicates and thread, and the decision. Built to be worked through with the
/// keyboard: j/k or the arrows move, a/c/r decide, and after each decision the next memory is selected.
/// </summary>
public sealed partial class ReviewQueue
{
    private static readonly IReadOnlyList<MemoryKind> Kinds = Enum.GetValues<MemoryKind>();

    private readonly Dictionary<Guid, ElementReference> _items = [];
    private ElementReference _page;
    private ReviewActions? _actions;

    private IReadOnlyList<MemorySummary> _queue = [];
    private int _waiting;
    private int _index = -1;
    private MemoryDetails? _details;
    private IReadOnlyList<AbstractionFinding>? _findings;
    private IReadOnlyList<SimilarMemory> _duplicates = [];
    private string? _loadError;
    private ReviewSettings _settings = ReviewSettings.Defaults;

    private IReadOnlyList<TeamOption> _teams = [];
    private IReadOnlyList<string> _domains = [];
    private Guid? _teamId;
    private MemoryKind? _kind;
    private string? _domain;

    private int _loadToken;
    private bool _busy;
    private bool _focusSelected;

    [Inject]
    public required MemoryDetailLoader Loader { get; init; }

    [Inject]
    public required IDbContextFactory<PortalDbContext> Db { get; init; }

    [Inject]
    public required ReviewDecisions Reviews { get; init; }

    [Inject]
    public required PendingReviews Pending { get; init; }

    [Inject]
    public required ActorDirectory Actors { get; init; }

    [Inject]
    public required ReviewSettingsStore SettingsStore { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private bool IsFiltered => _teamId is not null || _kind is not null || !string.IsNullOrEmpty(_domain);

    private string CountText => IsFiltered ? $"{_queue.Count} of {_waiting} waiting" : $"{_waiting} waiting";

    protected override async Task OnInitializedAsync()
    {
        var actor = await Actors.CurrentAsync(AuthenticationState);
        if (actor is null)
        {
            _loadError = ActorLookup.NoActorMessage;
            return;
        }

        await using (var db = await Db.CreateDbContextAsync())
        {
            _settings = await SettingsStore.GetAsync();
            var reviewed = actor.IsAdmin ? null : actor.IsReviewer ? actor.TeamIds.ToList() : [];
            _teams = await db.Teams.AsNoTracking()
                .Where(t => reviewed == null || reviewed.Contains(t.Id))
                .OrderBy(t => t.Name)
                .Select(t => new TeamOption(t.Id, t.Name))
                .ToListAsync();
        }

        await LoadQueueAsync(actor);
        if (_queue.Count > 0)
        {
            await SelectAsync(0);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_focusSelected)
        {
            _focusSelected = false;
            await FocusSelectedAsync();
        }
        else if (firstRender)
        {
            // Keys work from the start, without a click first.
            await FocusSelectedAsync();
        }
    }

    /// <summary>Gives the keyboard back to the list: the selected item, or the page when the queue is empty.</summary>
    private async Task FocusSelectedAsync()
    {
        try
        {
            if (_index >= 0 && _index < _queue.Count && _items.TryGetValue(_queue[_index].Id, out var item))
            {
                await item.FocusAsync();
            }
            else
            {
                await _page.FocusAsync();
            }
        }
        catch (JSException)
        {
            // The element went away in a newer render; focus is a convenience, never worth losing the circuit.
        }
    }

    private async Task KeyDownAsync(KeyboardEventArgs e)
    {
        switch (ReviewKeys.Command(e, busy: _busy || _actions?.IsBusy == true))
        {
            case { Decision: { } decision }:
                await DecideAsync(decision);
                break;
            case { Step: not 0 and var step }:
                await MoveAsync(step);
                break;
        }
    }

    private async Task MoveAsync(int step)
    {
        var next = Math.Clamp(_index + step, 0, _queue.Count - 1);
        if (_queue.Count > 0 && next != _index)
        {
            await SelectAsync(next);
        }
    }

    private async Task DecideAsync(ReviewDecision decision)
    {
        // Only once the selected memory is on screen: the decision is about what the reviewer sees.
        if (_actions is not null && _details is not null && _details.Id == _queue.ElementAtOrDefault(_index)?.Id)
        {
            await _actions.DecideAsync(decision);
        }
    }

    private async Task SelectAsync(int index)
    {
        if (index < 0 || index >= _queue.Count)
        {
            return;
        }

        var item = _queue[index];
        var changed = _details?.Id != item.Id;
        _index = index;
        _focusSelected = true;
        _loadError = null;
        if (changed)
        {
            _details = null;
            _findings = null;
            _duplicates = [];
        }

        await LoadDetailsAsync(item.Id);
    }

    private async Task LoadDetailsAsync(Guid memoryId)
    {
        // Moving quickly through the list starts several loads; only the newest may fill the pane.
        var token = ++_loadToken;
        var load = await Loader.LoadAsync(AuthenticationState, memoryId, MemoryDetailExtras.NearDuplicates);
        if (load.NoActor)
        {
            _loadError = ActorLookup.NoActorMessage;
        }
        else if (token == _loadToken)
        {
            if (load.Memory is { } memory)
            {
                _details = memory.Details;
                _findings = memory.Findings;
                _duplicates = memory.NearDuplicates;
            }
            else
            {
                _loadError = "This memory is no longer visible to you.";
            }
        }
    }

    private async Task LoadQueueAsync(Actor actor)
    {
        var all = await Pending.QueueAsync(actor, new ReviewQueueFilter());
        _waiting = all.Count;
        _domains = [.. all.Select(m => m.SourceDomain).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)];
        _queue = IsFiltered ? await Pending.QueueAsync(actor, new ReviewQueueFilter(_teamId, _kind, _domain)) : all;
    }

    /// <summary>
    /// Reloads the queue after a write and selects what comes next: the memory that slid into the decided one's
    /// place, or the one after it when it is still queued (it needs more approvals), or it again after a conflict.
    /// </summary>
    private async Task ReloadAsync(Guid current, bool advance)
    {
        var actor = await Actors.CurrentAsync(AuthenticationState);
        if (actor is null)
        {
            _loadError = ActorLookup.NoActorMessage;
            return;
        }

        var previousIndex = _index;
        await LoadQueueAsync(actor);
        var stillQueued = _queue.Select(m => m.Id).ToList().IndexOf(current);
        var next = stillQueued >= 0 ? stillQueued + (advance ? 1 : 0) : previousIndex;
        _index = -1;
        _details = null;
        if (_queue.Count == 0)
        {
            _focusSelected = true;
            return;
        }

        await SelectAsync(Math.Clamp(next, 0, _queue.Count - 1));
    }

    private Task TeamChangedAsync(Guid? team)
    {
        _teamId = team;
        return FilterChangedAsync();
    }

    private Task KindChangedAsync(MemoryKind? kind)
    {
        _kind = kind;
        return FilterChangedAsync();
    }

    private Task DomainChangedAsync(string? domain)
    {
        _domain = domain;
        return FilterChangedAsync();
    }

    private string TeamName(Guid? team) => _teams.FirstOrDefault(t => t.Id == team)?.Name ?? "";

    private async Task FilterChangedAsync()
    {
        var actor = await Actors.CurrentAsync(AuthenticationState);
        if (actor is null)
        {
            _loadError = ActorLookup.NoActorMessage;
            return;
        }

        await LoadQueueAsync(actor);
        _index = -1;
        _details = null;
        if (_queue.Count > 0)
        {
            await SelectAsync(0);
        }
    }

    private async Task ReviewedAsync(ReviewActionResult result)
    {
        var memoryId = _details!.Id;
        var title = _details.Latest.Content.DisplayTitle;
        if (result.Succeeded && result.Decision == ReviewDecision.Comment)
        {
            Snackbar.Add($"Comment added: {title}", Severity.Info);
            await LoadDetailsAsync(memoryId);
            return;
        }

        var summary = result.Decision switch
        {
            ReviewDecision.Approve => "Approved",
            ReviewDecision.RequestChanges => "Changes requested",
            _ => "Rejected",
        };
        await AfterWriteAsync(memoryId, summary, title, result.Failure, result.Message, leavesQueue: true);
    }

    private async Task MarkDuplicateAsync(SimilarMemory original)
    {
        var details = _details!;
        var (failure, message) = await WriteAsync(actor =>
            Reviews.MarkDuplicateAsync(actor, details.Id, original.MemoryId, _actions?.Comment, details.Version));
        await AfterWriteAsync(details.Id, "Rejected as a duplicate", $"of “{original.Title}”", failure, message, leavesQueue: true);
    }

    private async Task SetSupersedesAsync(SimilarMemory? old)
    {
        var details = _details!;
        var (failure, message) = await WriteAsync(actor =>
            Reviews.SetSupersedesAsync(actor, details.Id, old?.MemoryId, details.Version));
        var summary = old is null ? "No longer supersedes anything" : "Marked as superseding";
        await AfterWriteAsync(details.Id, summary, old is null ? details.Latest.Content.DisplayTitle : $"“{old.Title}”, archived once this is approved", failure, message, leavesQueue: false);
    }

    private async Task<(WriteFailure Failure, string? Message)> WriteAsync(Func<Actor, Task<WriteResult<Memory>>> write)
    {
        _busy = true;
        try
        {
            var result = await Actors.AsCurrentUserAsync(AuthenticationState, write);
            return (result.Failure, result.Message());
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task AfterWriteAsync(Guid memoryId, string summary, string detail, WriteFailure failure, string? message, bool leavesQueue)
    {
        switch (failure)
        {
            case WriteFailure.None:
                Snackbar.Add($"{summary}: {detail}", Severity.Success);
                if (leavesQueue)
                {
                    await ReloadAsync(memoryId, advance: true);
                }
                else
                {
                    await LoadDetailsAsync(memoryId);
                }

                break;
            case WriteFailure.Conflict or WriteFailure.NotFound:
                // Someone else decided (or the memory went away) since it was opened: show the queue as it is now.
                Snackbar.Add($"Not saved: {message}", Severity.Warning, o => o.VisibleStateDuration = 10_000);
                await ReloadAsync(memoryId, advance: false);
                break;
            default:
                Snackbar.Add($"Not saved: {message}", Severity.Error, o => o.VisibleStateDuration = 10_000);
                break;
        }
    }

    private double? MinimumFor(MemoryKind kind) => kind == MemoryKind.Insight ? _settings.MinInsightAbstraction : null;

    private sealed record TeamOption(Guid Id, string Name);
}
