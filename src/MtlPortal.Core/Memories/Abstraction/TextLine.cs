namespace MtlPortal.Memories.Abstraction;

/// <summary>A line of a field's text: <see cref="Start"/> to <see cref="End"/>, without its line break.</summary>
internal readonly record struct TextLine(int Start, int End)
{
    public static List<TextLine> Split(string text)
    {
        var lines = new List<TextLine>();
        var start = 0;
        while (start <= text.Length)
        {
            var newline = text.IndexOf('\n', start);
            var end = newline < 0 ? text.Length : newline;
            lines.Add(new TextLine(start, end > start && text[end - 1] == '\r' ? end - 1 : end));
            if (newline < 0)
            {
                break;
            }

            start = newline + 1;
        }

        return lines;
    }

    public ReadOnlySpan<char> In(string text) => text.AsSpan(Start, End - Start);

    public bool IsBlank(string text) => In(text).IsWhiteSpace();

    /// <summary>Where the line's text begins, after its indentation.</summary>
    public int ContentStart(string text)
    {
        var i = Start;
        while (i < End && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>Where the line's text ends, before trailing white space.</summary>
    public int ContentEnd(string text)
    {
        var i = End;
        while (i > Start && char.IsWhiteSpace(text[i - 1]))
        {
            i--;
        }

        return i;
    }
}
