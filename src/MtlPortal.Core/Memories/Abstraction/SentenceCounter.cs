namespace MtlPortal.Memories.Abstraction;

/// <summary>
/// Counts sentences in a memory field, for the insight format's sentence limits.
/// </summary>
/// <remarks>
/// A sentence ends at <c>.</c>, <c>!</c>, <c>?</c> or <c>…</c> followed by white space and then anything but a
/// lower-case letter, or by the end of the text; at a blank line; and before a line that starts a list item.
/// That keeps decimals (3.14), dotted names (os.path), abbreviations mid-sentence ("e.g. unit tests") and
/// ellipses mid-sentence in one sentence. A handful of abbreviations (e.g., i.e., cf., vs., …) never end a
/// sentence even before a capital. Text with no letters (a bare "1.") is not a sentence.
/// </remarks>
public static class SentenceCounter
{
    // Compared without their final period, which is the character the caller is looking at.
    private static readonly string[] NonTerminalAbbreviations =
        ["e.g", "i.e", "cf", "vs", "viz", "approx", "incl", "esp", "resp", "a.k.a", "mr", "mrs", "ms", "dr", "prof", "fig", "eq"];

    /// <summary>The number of sentences in <paramref name="text"/>; 0 for empty or blank text.</summary>
    public static int Count(ReadOnlySpan<char> text)
    {
        var count = 0;
        var hasLetter = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsLetter(c))
            {
                hasLetter = true;
            }
            else if (c == '\n' && StartsNewBlock(text, i + 1))
            {
                if (hasLetter)
                {
                    count++;
                }

                hasLetter = false;
            }
            else if (IsTerminator(c))
            {
                // Judge a run like "?!" or "..." once, at its last character.
                while (i + 1 < text.Length && IsTerminator(text[i + 1]))
                {
                    i++;
                }

                if (hasLetter && EndsSentence(text, i))
                {
                    count++;
                    hasLetter = false;
                }
            }
        }

        return hasLetter ? count + 1 : count;
    }

    private static bool IsTerminator(char c) => c is '.' or '!' or '?' or '…';

    private static bool EndsSentence(ReadOnlySpan<char> text, int terminator)
    {
        var next = terminator + 1;
        while (next < text.Length && text[next] is '"' or '\'' or '”' or '’' or ')' or ']')
        {
            next++;
        }

        if (next == text.Length)
        {
            return true;
        }

        if (!char.IsWhiteSpace(text[next]))
        {
            return false;
        }

        while (next < text.Length && char.IsWhiteSpace(text[next]))
        {
            next++;
        }

        if (next == text.Length)
        {
            return true;
        }

        if (char.IsLower(text[next]))
        {
            return false;
        }

        return text[terminator] != '.' || !IsNonTerminalAbbreviation(WordBefore(text, terminator));
    }

    // The run of letters and inner periods right before the terminator: "e.g" for "… e.g. Python".
    private static ReadOnlySpan<char> WordBefore(ReadOnlySpan<char> text, int terminator)
    {
        var start = terminator;
        while (start > 0 && (char.IsLetter(text[start - 1]) || text[start - 1] == '.'))
        {
            start--;
        }

        return text[start..terminator];
    }

    private static bool IsNonTerminalAbbreviation(ReadOnlySpan<char> word)
    {
        foreach (var abbreviation in NonTerminalAbbreviations)
        {
            if (word.Equals(abbreviation, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    // A blank line, or a line that opens a list item ("- ", "* ", "• ", "2. ", "3) "), starts a new block.
    private static bool StartsNewBlock(ReadOnlySpan<char> text, int lineStart)
    {
        var i = lineStart;
        while (i < text.Length && text[i] is ' ' or '\t' or '\r')
        {
            i++;
        }

        if (i == text.Length || text[i] == '\n')
        {
            return true;
        }

        if (text[i] is '-' or '*' or '+' or '•')
        {
            return i + 1 < text.Length && text[i + 1] == ' ';
        }

        var digits = i;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        return digits > i && digits + 1 < text.Length && text[digits] is '.' or ')' && text[digits + 1] == ' ';
    }
}
