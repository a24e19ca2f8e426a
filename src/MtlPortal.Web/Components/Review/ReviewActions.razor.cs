using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using MtlPortal.Memories;
using MtlPortal.Reviews;
using MtlPortal.Validation;
using MtlPortal.Web.Components.Memories;
using MudBlazor;

namespace MtlPortal.Web.Components.Review;

/// <summary>What came of a decision or comment made in <see cref="ReviewActions"/>; the page decides what to show next.</summary>
/// <param name="Decision"><see cref="ReviewDecision.Comment"/> for a plain comment.</param>
/// <param name="Failure"><see cref="WriteFailure.None"/> when it was saved.</param>
/// <param name="Message">Why it failed, worded for the reviewer.</param>
public sealed record ReviewActionResult(ReviewDecision Decision, WriteFailure Failure, string? Message)
{
    public bool Succeeded => Failure == WriteFailure.None;
}

/// <summary>
/// A comment box with Approve, Request changes and Reject (when <see cref="CanDecide"/>) and a plain Comment button.
/// A decision that needs a comment and has none is refused beside the box before anything is sent. Each write runs
/// in a scope of its own with the memory's version as last seen, so a decision someone else made in the meantime
/// comes back as a conflict rather than being overwritten.
/// </summary>
public sealed partial class ReviewActions
{
    private MudTextField<string>? _commentBox;
    private string _comment = "";
    private string? _commentError;
    private Guid _shownFor;
    private bool _busy;

    [Inject]
    public required ReviewDecisions Reviews { get; init; }

    [Inject]
    public required ActorDirectory Actors { get; init; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Parameter, EditorRequired]
    public Guid MemoryId { get; set; }

    /// <summary>The memory's version when the reviewer opened it (<see cref="MemoryDetails.Version"/>).</summary>
    [Parameter, EditorRequired]
    public int Version { get; set; }

    /// <summary>Whether to offer the decisions; otherwise only commenting.</summary>
    [Parameter]
    public bool CanDecide { get; set; }

    [Parameter]
    public EventCallback<ReviewActionResult> Completed { get; set; }

    /// <summary>Escape in the comment box: the page takes the keyboard back.</summary>
    [Parameter]
    public EventCallback Escaped { get; set; }

    /// <summary>What the reviewer has written so far, for actions outside this component (marking a duplicate).</summary>
    public string Comment => _comment;

    /// <summary>Whether a write is under way; the page ignores shortcuts meanwhile.</summary>
    public bool IsBusy => _busy;

    protected override void OnParametersSet()
    {
        // Another memory: start with an empty box, not the previous memory's comment.
        if (_shownFor != MemoryId)
        {
            _shownFor = MemoryId;
            _comment = "";
            _commentError = null;
        }
    }

    public async Task FocusCommentAsync()
    {
        if (_commentBox is not null)
        {
            await _commentBox.FocusAsync();
        }
    }

    public async Task DecideAsync(ReviewDecision decision)
    {
        if (MemoryLifecycle.MissingComment(decision, _comment) is { } missing)
        {
            _commentError = missing;
            StateHasChanged();
            await FocusCommentAsync();
            return;
        }

        await RunAsync(decision, async () =>
        {
            var result = await Actors.AsCurrentUserAsync(AuthenticationState, actor => Reviews.DecideAsync(actor, MemoryId, decision, _comment, Version));
            return (result.Failure, result.Errors);
        });
    }

    private async Task CommentAsync()
    {
        await RunAsync(ReviewDecision.Comment, async () =>
        {
            var result = await Actors.AsCurrentUserAsync(AuthenticationState, actor => Reviews.CommentAsync(actor, MemoryId, _comment));
            return (result.Failure, result.Errors);
        });
    }

    private async Task RunAsync(ReviewDecision decision, Func<Task<(WriteFailure Failure, IReadOnlyList<FieldError> Errors)>> write)
    {
        if (_busy)
        {
            return;
        }

        _busy = true;
        try
        {
            var result = await write();

            // The workflow names the comment field "comment"; beside the box is where that message belongs.
            var commentErrors = result.Errors.Where(e => e.Field == "comment").Select(e => e.Message).ToList();
            if (result.Failure == WriteFailure.Invalid && commentErrors.Count > 0)
            {
                _commentError = string.Join(" ", commentErrors);
                await FocusCommentAsync();
                return;
            }

            if (result.Failure == WriteFailure.None)
            {
                _comment = "";
                _commentError = null;
            }

            var message = result.Failure == WriteFailure.None ? null : string.Join(" ", result.Errors.Select(e => e.Message));
            await Completed.InvokeAsync(new ReviewActionResult(decision, result.Failure, message));
        }
        finally
        {
            _busy = false;
        }
    }

    private void CommentChanged(string? text)
    {
        _comment = text ?? "";
        _commentError = null;
    }

    private async Task CommentKeyDownAsync(KeyboardEventArgs e)
    {
        if (e.Key == "Escape")
        {
            await Escaped.InvokeAsync();
        }
    }
}
