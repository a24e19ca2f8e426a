using System.Text;
using System.Text.RegularExpressions;

namespace MtlPortal.Memories;

/// <summary>What a piece of a diff is: in both texts, only in the new one, or only in the old one.</summary>
public enum DiffOperation
{
    Equal = 0,
    Insert = 1,
    Delete = 2,
}

/// <summary>One run of text in a diff.</summary>
public sealed record DiffSpan(DiffOperation Operation, string Text);

/// <summary>
/// A small line-then-word diff for showing what changed between two revisions of a memory. Lines are matched
/// first (a longest common subsequence), then each block of changed lines is compared word by word, so a one-word
/// edit shows as one word rather than a whole rewritten paragraph. Concatenating the equal and deleted spans gives
/// the old text back; the equal and inserted spans give the new one.
/// </summary>
public static partial class TextDiff
{
    // The LCS table is n×m; past this many cells a changed block is shown as removed and re-added instead.
    // Revisions are at most a few thousand words, so this bounds the work without affecting real edits.
    private const long MaxCells = 4_000_000;

    /// <summary>The spans that turn <paramref name="before"/> into <paramref name="after"/>, adjacent spans of one operation merged.</summary>
    public static IReadOnlyList<DiffSpan> Compute(string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var spans = new List<DiffSpan>();
        var deleted = new StringBuilder();
        var inserted = new StringBuilder();
        foreach (var (operation, line) in Diff(Lines(before), Lines(after)))
        {
            if (operation == DiffOperation.Delete)
            {
                deleted.Append(line);
            }
            else if (operation == DiffOperation.Insert)
            {
                inserted.Append(line);
            }
            else
            {
                FlushChangedLines(spans, deleted, inserted);
                Add(spans, DiffOperation.Equal, line);
            }
        }

        FlushChangedLines(spans, deleted, inserted);
        return spans;
    }

    /// <summary>Whether the two texts differ at all, as the spans of <see cref="Compute"/> show it.</summary>
    public static bool HasChanges(IEnumerable<DiffSpan> spans) => spans.Any(s => s.Operation != DiffOperation.Equal);

    /// <summary>A block of lines removed and lines added in their place: compare them word by word.</summary>
    private static void FlushChangedLines(List<DiffSpan> spans, StringBuilder deleted, StringBuilder inserted)
    {
        if (deleted.Length > 0 && inserted.Length > 0)
        {
            AddWordDiff(spans, deleted.ToString(), inserted.ToString());
        }
        else
        {
            Add(spans, DiffOperation.Delete, deleted.ToString());
            Add(spans, DiffOperation.Insert, inserted.ToString());
        }

        deleted.Clear();
        inserted.Clear();
    }

    private static void AddWordDiff(List<DiffSpan> spans, string before, string after)
    {
        var ops = Diff(Words(before), Words(after));

        // A lone space or line break between two changes would chop one rewritten phrase into alternating
        // word-sized deletions and insertions; counting it as changed keeps the phrase whole and readable.
        for (var i = 1; i < ops.Count - 1; i++)
        {
            if (ops[i].Operation == DiffOperation.Equal && string.IsNullOrWhiteSpace(ops[i].Text)
                && ops[i - 1].Operation != DiffOperation.Equal && ops[i + 1].Operation != DiffOperation.Equal)
            {
                ops[i] = (DiffOperation.Delete, ops[i].Text);
                ops.Insert(i + 1, (DiffOperation.Insert, ops[i].Text));
                i++;
            }
        }

        // Within each run of changes, all that was removed reads first, then all that replaced it.
        var deleted = new StringBuilder();
        var inserted = new StringBuilder();
        foreach (var (operation, word) in ops)
        {
            switch (operation)
            {
                case DiffOperation.Delete:
                    deleted.Append(word);
                    break;
                case DiffOperation.Insert:
                    inserted.Append(word);
                    break;
                default:
                    Add(spans, DiffOperation.Delete, deleted.ToString());
                    Add(spans, DiffOperation.Insert, inserted.ToString());
                    deleted.Clear();
                    inserted.Clear();
                    Add(spans, DiffOperation.Equal, word);
                    break;
            }
        }

        Add(spans, DiffOperation.Delete, deleted.ToString());
        Add(spans, DiffOperation.Insert, inserted.ToString());
    }

    private static void Add(List<DiffSpan> spans, DiffOperation operation, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (spans.Count > 0 && spans[^1].Operation == operation)
        {
            spans[^1] = spans[^1] with { Text = spans[^1].Text + text };
        }
        else
        {
            spans.Add(new DiffSpan(operation, text));
        }
    }

    /// <summary>The edit script from <paramref name="a"/> to <paramref name="b"/>: deletions before insertions at each point.</summary>
    private static List<(DiffOperation Operation, string Text)> Diff(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        // Common ends first: most edits touch a small part, and this keeps the table small.
        var prefix = 0;
        while (prefix < a.Count && prefix < b.Count && a[prefix] == b[prefix])
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < a.Count - prefix && suffix < b.Count - prefix && a[a.Count - 1 - suffix] == b[b.Count - 1 - suffix])
        {
            suffix++;
        }

        var result = new List<(DiffOperation, string)>(a.Count + b.Count);
        for (var i = 0; i < prefix; i++)
        {
            result.Add((DiffOperation.Equal, a[i]));
        }

        var n = a.Count - prefix - suffix;
        var m = b.Count - prefix - suffix;
        if ((long)n * m > MaxCells)
        {
            for (var i = 0; i < n; i++)
            {
                result.Add((DiffOperation.Delete, a[prefix + i]));
            }

            for (var j = 0; j < m; j++)
            {
                result.Add((DiffOperation.Insert, b[prefix + j]));
            }
        }
        else
        {
            AddMiddle(result, a, b, prefix, n, m);
        }

        for (var i = a.Count - suffix; i < a.Count; i++)
        {
            result.Add((DiffOperation.Equal, a[i]));
        }

        return result;
    }

    private static void AddMiddle(List<(DiffOperation, string)> result, IReadOnlyList<string> a, IReadOnlyList<string> b, int offset, int n, int m)
    {
        // lcs[i, j]: the longest common subsequence of a[i..n) and b[j..m), so the walk below runs forwards.
        var lcs = new int[n + 1, m + 1];
        for (var i = n - 1; i >= 0; i--)
        {
            for (var j = m - 1; j >= 0; j--)
            {
                lcs[i, j] = a[offset + i] == b[offset + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        int x = 0, y = 0;
        while (x < n || y < m)
        {
            if (x < n && y < m && a[offset + x] == b[offset + y])
            {
                result.Add((DiffOperation.Equal, a[offset + x]));
                x++;
                y++;
            }
            else if (x < n && (y == m || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                result.Add((DiffOperation.Delete, a[offset + x]));
                x++;
            }
            else
            {
                result.Add((DiffOperation.Insert, b[offset + y]));
                y++;
            }
        }
    }

    /// <summary>Lines with their line breaks kept, so that joining them gives the text back.</summary>
    private static List<string> Lines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lines.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }

        return lines;
    }

    /// <summary>Words, runs of white space and single other characters; joining them gives the text back.</summary>
    private static List<string> Words(string text) => [.. WordPattern().Matches(text).Select(m => m.Value)];

    // A surrogate pair (an emoji, say) stays one token, so a span never ends between its halves.
    [GeneratedRegex(@"\w+|\s+|[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\w\s]")]
    private static partial Regex WordPattern();
}
