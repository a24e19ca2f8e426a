using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Rendering;
using MtlPortal.Validation;
using MudBlazor;

namespace MtlPortal.Web.Components.Forms;

/// <summary>
/// Shows the errors of a server-side write inside an <see cref="EditForm"/>: each beside its field (through the
/// form's MudBlazor fields bound with <c>For</c>, or <see cref="ValidationMessage{TValue}"/>s), and errors that belong to no
/// field as an alert. A field's
/// message clears as soon as the user edits that field.
/// </summary>
public sealed class ServerValidation : ComponentBase, IDisposable
{
    private ValidationMessageStore? _store;
    private EditContext? _subscribed;
    private IReadOnlyList<string> _general = [];

    [CascadingParameter]
    public EditContext? CurrentEditContext { get; set; }

    /// <summary>
    /// Maps an error's field name (as the domain names it, e.g. "title" or "steps[2].action") to the form field
    /// that shows it; by default, the form model's property of that name with its first letter capitalised.
    /// Null puts the message in the form's general alert.
    /// </summary>
    [Parameter]
    public Func<string, FieldIdentifier?>? Resolve { get; set; }

    protected override void OnParametersSet()
    {
        if (CurrentEditContext is null)
        {
            throw new InvalidOperationException($"{nameof(ServerValidation)} must be placed inside an EditForm.");
        }

        if (!ReferenceEquals(_subscribed, CurrentEditContext))
        {
            Unsubscribe();
            _store = new ValidationMessageStore(CurrentEditContext);
            CurrentEditContext.OnFieldChanged += ClearField;
            CurrentEditContext.OnValidationRequested += ClearAll;
            _subscribed = CurrentEditContext;
        }
    }

    /// <summary>Shows <paramref name="errors"/>; an empty list clears what was shown.</summary>
    public void Show(IEnumerable<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(_store);
        _store.Clear();
        var general = new List<string>();
        foreach (var error in errors)
        {
            var field = error.Field.Length == 0 ? null : Resolve is null ? DefaultField(error.Field) : Resolve(error.Field);
            if (field is null)
            {
                general.Add(error.Message);
            }
            else
            {
                _store.Add(field.Value, error.Message);
            }
        }

        _general = general;
        CurrentEditContext!.NotifyValidationStateChanged();
        StateHasChanged();
    }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        foreach (var message in _general)
        {
            builder.OpenComponent<MudAlert>(0);
            builder.AddComponentParameter(1, nameof(MudAlert.Severity), Severity.Error);
            builder.AddComponentParameter(2, nameof(MudAlert.Class), "form-error");
            builder.AddAttribute(3, "role", "alert");
            builder.AddAttribute(4, "data-testid", "form-error");
            builder.AddComponentParameter(5, nameof(MudAlert.ChildContent), (RenderFragment)(b => b.AddContent(0, message)));
            builder.CloseComponent();
        }
    }

    public void Dispose() => Unsubscribe();

    private FieldIdentifier DefaultField(string name) =>
        CurrentEditContext!.Field(char.ToUpperInvariant(name[0]) + name[1..]);

    private void ClearField(object? sender, FieldChangedEventArgs e) => _store?.Clear(e.FieldIdentifier);

    private void ClearAll(object? sender, ValidationRequestedEventArgs e)
    {
        _store?.Clear();
        _general = [];
    }

    private void Unsubscribe()
    {
        if (_subscribed is not null)
        {
            _subscribed.OnFieldChanged -= ClearField;
            _subscribed.OnValidationRequested -= ClearAll;
            _subscribed = null;
        }
    }
}
