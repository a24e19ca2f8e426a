using Microsoft.AspNetCore.Components;
using MtlPortal.Memories.Abstraction;

namespace MtlPortal.Web.Components.Memories;

/// <summary>
/// One field of a memory with the abstraction linter's findings marked in place (<c>&lt;mark&gt;</c>, the
/// finding's message as a tooltip). Findings that judge the whole field, such as its sentence count, are listed
/// under it instead: marking all of the text would hide the findings inside it.
/// </summary>
public sealed partial class HighlightedText
{
    private IReadOnlyList<Part> _parts = [];
    private IReadOnlyList<AbstractionFinding> _fieldFindings = [];

    /// <summary>The field's name as the linter reports it (<see cref="AbstractionFinding.Field"/>).</summary>
    [Parameter, EditorRequired]
    public string Field { get; set; } = "";

    [Parameter, EditorRequired]
    public string Text { get; set; } = "";

    /// <summary>The findings of the whole memory; those of other fields are ignored.</summary>
    [Parameter]
    public IReadOnlyList<AbstractionFinding>? Findings { get; set; }

    protected override void OnParametersSet()
    {
        var own = (Findings ?? []).Where(f => f.Field == Field).ToList();
        _fieldFindings = [.. own.Where(IsAboutWholeField)];
        _parts = Split(Text, own.Where(f => !IsAboutWholeField(f)));
    }

    /// <summary>
    /// The text cut into plain and marked parts. Findings are expected not to overlap (the linter guarantees it);
    /// one that does, or that lies outside the text (content changed since linting), is left unmarked.
    /// </summary>
    public static IReadOnlyList<Part> Split(string text, IEnumerable<AbstractionFinding> findings)
    {
        var parts = new List<Part>();
        var at = 0;
        foreach (var finding in findings.OrderBy(f => f.Start).ThenByDescending(f => f.Length))
        {
            if (finding.Start < at || finding.Length <= 0 || finding.Start + finding.Length > text.Length)
            {
                continue;
            }

            if (finding.Start > at)
            {
                parts.Add(new Part(text[at..finding.Start], null));
            }

            parts.Add(new Part(text.Substring(finding.Start, finding.Length), finding));
            at = finding.Start + finding.Length;
        }

        if (at < text.Length)
        {
            parts.Add(new Part(text[at..], null));
        }

        return parts;
    }

    private static bool IsAboutWholeField(AbstractionFinding finding) => finding.RuleId == AbstractionRules.SentenceLimit.Id;

    private static string Tooltip(AbstractionFinding finding) =>
        AbstractionRules.Find(finding.RuleId) is { } rule ? $"{rule.Title}: {finding.Message}" : finding.Message;

    /// <summary>A run of the text, marked when <paramref name="Finding"/> is set.</summary>
    public sealed record Part(string Text, AbstractionFinding? Finding);
}
