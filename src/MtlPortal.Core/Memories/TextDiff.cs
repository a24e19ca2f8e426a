using System.Text;
using System.Text.RegularExpressions;
using DiffPlex;
using DiffPlex.Chunkers;

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
/// A line-then-word diff for showing what changed between two revisions of a memory, on DiffPlex's Myers diff.
/// Lines are matched first, then each block of changed lines is compared word by word, so a one-word edit shows as
/// one word rather than a whole rewritten paragraph. Concatenating the equal and deleted spans gives the old text
/// back; the equal and inserted spans give the new one.
/// </summary>
public static partial class TextDiff
{
    private static readonly IChunker LineChunker = new LineEndingsPreservingChunker();
    private static readonly IChunker WordChunker = new CustomFunctionChunker(text => [.. WordPattern().Matches(text).Select(m => m.Value)]);

    /// <summary>The spans that turn <paramref name="before"/> into <paramref name="after"/>, adjacent spans of one operation merged.</summary>
    public static IReadOnlyList<DiffSpan> Compute(string before, string after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var spans = new List<DiffSpan>();
        var deleted = new StringBuilder();
        var inserted = new StringBuilder();
        foreach (var (operation, line) in Diff(before, after, LineChunker))
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
        var ops = Diff(before, after, WordChunker);

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

    /// <summary>The edit script from <paramref name="before"/> to <paramref name="after"/> in pieces of <paramref name="chunker"/>: deletions before insertions at each point.</summary>
    private static List<(DiffOperation Operation, string Text)> Diff(string before, string after, IChunker chunker)
    {
        var diff = Differ.Instance.CreateDiffs(before, after, ignoreWhiteSpace: false, ignoreCase: false, chunker);
        var old = diff.PiecesOld;
        var result = new List<(DiffOperation, string)>(old.Count + diff.PiecesNew.Count);
        var next = 0;
        foreach (var block in diff.DiffBlocks)
        {
            for (; next < block.DeleteStartA; next++)
            {
                result.Add((DiffOperation.Equal, old[next]));
            }

            for (var i = 0; i < block.DeleteCountA; i++)
            {
                result.Add((DiffOperation.Delete, old[block.DeleteStartA + i]));
            }

            for (var j = 0; j < block.InsertCountB; j++)
            {
                result.Add((DiffOperation.Insert, diff.PiecesNew[block.InsertStartB + j]));
            }

            next = block.DeleteStartA + block.DeleteCountA;
        }

        for (; next < old.Count; next++)
        {
            result.Add((DiffOperation.Equal, old[next]));
        }

        return result;
    }

    /// <summary>Words, runs of white space and single other characters; joining them gives the text back.</summary>
    // A surrogate pair (an emoji, say) stays one token, so a span never ends between its halves.
    [GeneratedRegex(@"\w+|\s+|[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\w\s]")]
    private static partial Regex WordPattern();
}
