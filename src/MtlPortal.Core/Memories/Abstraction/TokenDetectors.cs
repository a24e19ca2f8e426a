using System.Buffers;
using System.Text.RegularExpressions;

namespace MtlPortal.Memories.Abstraction;

/// <summary>
/// The rules that flag single tokens or short spans. Each pairs a permissive regex with a check in code,
/// because the line between code and English ("and/or", "e.g.", "JavaScript", "3 times") is easier to state
/// as a few readable conditions than inside one pattern. URLs and paths are in TokenDetectors.Paths.cs,
/// identifiers in TokenDetectors.Identifiers.cs.
/// </summary>
internal static partial class TokenDetectors
{
    private const string InlineCodeMessage = "Contains inline code; describe what it does rather than quoting it.";
    private const string BenchmarkMessage = "Names a benchmark; insights should hold on any task, so describe the kind of task instead (\"a repository-level bug fix\").";
    private const string DomainTermMessage = "Names a repository or source domain from the pool; describe the kind of project instead (\"a web framework\").";
    private const string QuotedLiteralMessage = "Quotes a literal value; describe what the value means instead.";
    private const string MagicNumberMessage = "Uses a specific number; say what it stands for (\"the service's port\", \"a generous timeout\").";

    private static readonly SearchValues<char> CodeCharsInToken = SearchValues.Create("_./\\:=()[]{}<>$%#@|&*+;~^`0123456789");
    private static readonly SearchValues<char> CodeCharsInPhrase = SearchValues.Create("={}[]<>;$\\|`");

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Units = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "%", "ms", "s", "sec", "secs", "min", "mins", "m", "h", "hr", "hrs", "k", "kb", "mb", "gb", "tb", "kib",
        "mib", "gib", "tib", "px", "pt", "em", "rem",
    }.GetAlternateLookup<ReadOnlySpan<char>>();

    public static void FindInlineCode(SpanCollector spans)
    {
        foreach (var match in InlineCode().EnumerateMatches(spans.Text))
        {
            spans.TryAdd(AbstractionRules.InlineCode, match.Index, match.Length, InlineCodeMessage);
        }
    }

    public static void FindKnownTerms(SpanCollector spans, DomainTerms domainTerms)
    {
        var text = spans.Text;
        var position = 0;
        while (position < text.Length)
        {
            var offset = text.AsSpan(position).IndexOfAny(KnownBenchmarks.Anchors);
            if (offset < 0)
            {
                break;
            }

            var match = KnownBenchmarks.Pattern().Match(text, position + offset);
            if (match.Success)
            {
                spans.TryAdd(AbstractionRules.KnownTerm, match.Index, match.Length, BenchmarkMessage);
                position = match.Index + match.Length;
            }
            else
            {
                position += offset + 1;
            }
        }

        foreach (var (start, length) in domainTerms.FindAll(text))
        {
            spans.TryAdd(AbstractionRules.KnownTerm, start, length, DomainTermMessage);
        }
    }

    /// <summary>
    /// Flags a quoted single token that looks like a value (digits, code characters, inner or all capitals),
    /// or a quoted phrase with code characters, command-line flags or calls. Trailing sentence punctuation
    /// inside the quotes ("done.") is ignored, as English punctuation often sits there.
    /// </summary>
    public static void FindQuotedLiterals(SpanCollector spans)
    {
        foreach (var match in QuotedText().EnumerateMatches(spans.Text))
        {
            var inner = spans.Text.AsSpan(match.Index + 1, match.Length - 2).Trim().TrimEnd(".,;:!?");
            if (LooksLikeLiteral(inner))
            {
                spans.TryAdd(AbstractionRules.QuotedLiteral, match.Index, match.Length, QuotedLiteralMessage);
            }
        }
    }

    public static void FindMagicNumbers(SpanCollector spans)
    {
        foreach (Match match in NumberCandidate().Matches(spans.Text))
        {
            if (IsMagicNumber(match))
            {
                spans.TryAdd(AbstractionRules.MagicNumber, match.Index, match.Length, MagicNumberMessage);
            }
        }
    }

    private static bool LooksLikeLiteral(ReadOnlySpan<char> inner)
    {
        if (inner.IsEmpty)
        {
            return false;
        }

        if (inner.IndexOfAny(" \t") < 0)
        {
            return inner.ContainsAny(CodeCharsInToken) || inner[0] == '-' || HasInnerCapital(inner) || IsAllCapitals(inner);
        }

        return inner.ContainsAny(CodeCharsInPhrase) || inner[0] == '-' || CommandLineFlagOrCall().IsMatch(inner);
    }

    // Three digits, a decimal or dotted version, hex, thousands, or a unit: "404", "3.11", "0x1F", "1,000", "500ms".
    private static bool IsMagicNumber(Match match)
    {
        if (match.Groups["hex"].Success)
        {
            return true;
        }

        var number = match.Groups["number"].ValueSpan;
        if (number.Contains('.') || ThousandsNumber().IsMatch(number) || LongestDigitRun(number) >= 3)
        {
            return true;
        }

        if (match.Groups["unit"].Success)
        {
            return Units.Contains(match.Groups["unit"].ValueSpan);
        }

        // "30 seconds" is a parameter, "3 seconds" reads as a small count.
        return match.Groups["spacedUnit"].Success && number.Length >= 2;
    }

    private static bool IsAllCapitals(ReadOnlySpan<char> token) =>
        token.Length >= 2 && !token.ContainsAnyExceptInRange('A', 'Z');

    private static bool HasLetter(ReadOnlySpan<char> span) => span.ContainsAnyInRange('A', 'Z') || span.ContainsAnyInRange('a', 'z');

    private static bool Follows(string text, int index, SearchValues<char> neighbours) =>
        index > 0 && neighbours.Contains(text[index - 1]);

    private static int LongestDigitRun(ReadOnlySpan<char> number)
    {
        int longest = 0, run = 0;
        foreach (var c in number)
        {
            run = char.IsAsciiDigit(c) ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    // Sentence punctuation after a URL, path or option belongs to the sentence; a closing parenthesis does
    // too unless the span opened one ("https://en.wikipedia.org/wiki/Foo_(bar)").
    private static int TrimTrailingPunctuation(ReadOnlySpan<char> span)
    {
        var length = span.Length;
        while (length > 1)
        {
            var last = span[length - 1];
            if (last is '.' or ',' or ';' or ':' or '!' or '?' or '\'' or '"' or ']' or '}'
                || (last == ')' && span[..length].Count('(') < span[..length].Count(')')))
            {
                length--;
            }
            else
            {
                break;
            }
        }

        return length;
    }

    [GeneratedRegex(@"(?<!`)``(?!`)(?:[^`\n]|`(?!`))+``(?!`)|(?<!`)`(?!`)[^`\n]+`(?!`)")]
    private static partial Regex InlineCode();

    // Straight or typographic quotes on one line. A single quote opens only after a non-word character, so
    // apostrophes ("don't", "the tests' output") never start or end a quote.
    [GeneratedRegex(@"""[^""\n]{1,200}""|“[^”\n]{1,200}”|(?<![\w'])'[^'\n]{1,200}'(?![\w'])|‘[^’\n]{1,200}’")]
    private static partial Regex QuotedText();

    // Flags ("-r", "--force"), calls ("run(x)", but not "test(s)") and operators.
    [GeneratedRegex(@"(?:^|\s)--?[A-Za-z]|\w\((?!s\))|&&|\|\||->|=>|::")]
    private static partial Regex CommandLineFlagOrCall();

    // An optional "v", then hex or digits with dots and commas, then an attached unit or a spaced unit word.
    [GeneratedRegex(
        @"(?<![\w.$])(?:v(?=\d))?(?:(?<hex>0[xX][0-9A-Fa-f]+)|(?<number>\d+(?:[.,]\d+)*))" +
        @"(?:(?<unit>%|[A-Za-z]+)|\s(?<spacedUnit>ms|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|bytes|[KMGT]i?B|[kmg]b|percent|%)(?![\w%]))?")]
    private static partial Regex NumberCandidate();

    [GeneratedRegex(@"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")]
    private static partial Regex ThousandsNumber();
}
