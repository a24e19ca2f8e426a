using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Web;
using MtlPortal.Memories;
using MtlPortal.Validation;
using MtlPortal.Web.Components.Forms;
using MtlPortal.Web.Components.Memories;

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
/// Each write runs in a scope of its own with the memory's version as last seen, so a decision someone else made in
/// the meantime comes back as a conflict rather than being overwritten. A missing comment is shown beside the box.
/// </summary>
public sealed partial class ReviewActions
{
    private const string CommentId = "review-comment";

    private readonly CommentInput _input = new();
    private EditContext _form = default!;
    private ServerValidation? _server;
    private ElementReference _commentBox;
    private Guid _shownFor;
    private bool _busy;

    [Inject]
    public required IServiceScopeFactory Scopes { get; init; }

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
    public string Comment => _input.Comment;

    /// <summary>Whether a write is under way; the page ignores shortcuts meanwhile.</summary>
    public bool IsBusy => _busy;

    protected override void OnInitialized() => _form = new EditContext(_input);

    protected override void OnParametersSet()
    {
        // Another memory: start with an empty box, not the previous memory's comment.
        if (_shownFor != MemoryId)
        {
            _shownFor = MemoryId;
            _input.Comment = "";
            _server?.Show([]);
        }
    }

    public ValueTask FocusCommentAsync() => _commentBox.FocusAsync();

    public async Task DecideAsync(ReviewDecision decision)
    {
        await RunAsync(decision, async () =>
        {
            var result = await Scopes.RunAsync(Actors, AuthenticationState, (workflow, actor) => workflow.ReviewAsync(actor, MemoryId, decision, _input.Comment, Version));
            return (result.Failure, result.Errors);
        });
    }

    private async Task CommentAsync()
    {
        await RunAsync(ReviewDecision.Comment, async () =>
        {
            var result = await Scopes.RunAsync(Actors, AuthenticationState, (workflow, actor) => workflow.CommentAsync(actor, MemoryId, _input.Comment));
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
            var commentErrors = result.Errors.Where(e => e.Field == "comment").Select(e => e with { Field = nameof(CommentInput.Comment) }).ToList();
            if (result.Failure == WriteFailure.Invalid && commentErrors.Count > 0)
            {
                _server?.Show(commentErrors);
                await FocusCommentAsync();
                return;
            }

            if (result.Failure == WriteFailure.None)
            {
                _input.Comment = "";
                _server?.Show([]);
            }

            var message = result.Failure == WriteFailure.None ? null : string.Join(" ", result.Errors.Select(e => e.Message));
            await Completed.InvokeAsync(new ReviewActionResult(decision, result.Failure, message));
        }
        finally
        {
            _busy = false;
        }
    }

    private void CommentEdited() => _form.NotifyFieldChanged(_form.Field(nameof(CommentInput.Comment)));

    private async Task CommentKeyDownAsync(KeyboardEventArgs e)
    {
        if (e.Key == "Escape")
        {
            await Escaped.InvokeAsync();
        }
    }

    private sealed class CommentInput
    {
        public string Comment { get; set; } = "";
    }
}
