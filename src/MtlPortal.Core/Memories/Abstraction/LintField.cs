namespace MtlPortal.Memories.Abstraction;

/// <summary>
/// One text field of a memory, as the linter sees it. <paramref name="MinSentences"/> and
/// <paramref name="MaxSentences"/> are the field's sentence limits; null means no limit on that side.
/// </summary>
/// <param name="Name">The field's name, copied into each finding so the UI knows where to highlight.</param>
/// <param name="Text">The field's text; finding positions are UTF-16 indices into it.</param>
/// <param name="MinSentences">The fewest sentences the field may hold, or null.</param>
/// <param name="MaxSentences">The most sentences the field may hold, or null.</param>
public sealed record LintField(string Name, string Text, int? MinSentences = null, int? MaxSentences = null)
{
    /// <summary>
    /// The three fields of an insight with the limits the paper's insight format sets: a title of one
    /// phrase, a one-sentence description and 1–3 sentences of content. Kept here so every caller applies
    /// the same limits.
    /// </summary>
    public static IReadOnlyList<LintField> ForInsight(string title, string description, string content) =>
    [
        new("Title", title, MaxSentences: 1),
        new("Description", description, MinSentences: 1, MaxSentences: 1),
        new("Content", content, MinSentences: 1, MaxSentences: 3),
    ];
}
