namespace MtlPortal.Memories.Abstraction;

/// <summary>
/// The pool's source domains and repositories, matched as whole words in any case. A multi-word term
/// matches across any run of white space ("Home Assistant" also matches "home\nassistant").
/// </summary>
/// <remarks>
/// Plain ordinal searches rather than a regex built per call: the terms change with the pool, building a
/// regex costs more than the whole lint, and a few hundred vectorised searches over a few KB stay well
/// under a millisecond.
/// </remarks>
internal sealed class DomainTerms
{
    private readonly string[][] _terms;

    private DomainTerms(string[][] terms) => _terms = terms;

    public static DomainTerms Empty { get; } = new([]);

    public static DomainTerms From(IReadOnlyCollection<string>? terms)
    {
        if (terms is null || terms.Count == 0)
        {
            return Empty;
        }

        var words = terms
            .Select(t => t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length > 0)
            .DistinctBy(w => string.Join(' ', w), StringComparer.OrdinalIgnoreCase)
            .ToArray();
        return new DomainTerms(words);
    }

    /// <summary>Every occurrence of every term, as (start, length); overlapping ones included.</summary>
    public IEnumerable<(int Start, int Length)> FindAll(string text)
    {
        foreach (var words in _terms)
        {
            var from = 0;
            while (from < text.Length)
            {
                var start = text.IndexOf(words[0], from, StringComparison.OrdinalIgnoreCase);
                if (start < 0)
                {
                    break;
                }

                var end = MatchRest(text, start + words[0].Length, words);
                if (end > 0 && IsBoundary(text, start - 1, words[0][0]) && IsBoundary(text, end, words[^1][^1]))
                {
                    yield return (start, end - start);
                }

                from = start + 1;
            }
        }
    }

    // Where the term ends if the words after the first follow, each after some white space; -1 if not.
    private static int MatchRest(string text, int position, string[] words)
    {
        for (var w = 1; w < words.Length; w++)
        {
            var gap = position;
            while (gap < text.Length && char.IsWhiteSpace(text[gap]))
            {
                gap++;
            }

            if (gap == position || !text.AsSpan(gap).StartsWith(words[w], StringComparison.OrdinalIgnoreCase))
            {
                return -1;
            }

            position = gap + words[w].Length;
        }

        return position;
    }

    // A term that starts or ends with a letter or digit must not run into a neighbouring word ("django" is
    // not in "djangonaut"); one that ends with a symbol ("C++") needs no boundary on that side.
    private static bool IsBoundary(string text, int index, char termEdge) =>
        !IsWordChar(termEdge) || index < 0 || index >= text.Length || !IsWordChar(text[index]);

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
