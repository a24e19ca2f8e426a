namespace MtlPortal.Memories.Abstraction;

/// <summary>
/// Collects the spans one field's rules flag. Detectors run from the most to the least binding rule and a
/// span that overlaps one already taken is dropped, so a path inside a code block, or a number inside a URL,
/// is reported once, under the rule that explains it best.
/// </summary>
internal sealed class SpanCollector(string text)
{
    private readonly bool[] _taken = new bool[text.Length];
    private readonly List<(AbstractionRule Rule, int Start, int Length, string Message)> _spans = [];

    public string Text { get; } = text;

    public IReadOnlyList<(AbstractionRule Rule, int Start, int Length, string Message)> Spans => _spans;

    /// <summary>Takes the span unless it is empty or overlaps a span already taken.</summary>
    public bool TryAdd(AbstractionRule rule, int start, int length, string message)
    {
        if (length <= 0 || _taken.AsSpan(start, length).Contains(true))
        {
            return false;
        }

        _taken.AsSpan(start, length).Fill(true);
        _spans.Add((rule, start, length, message));
        return true;
    }
}
