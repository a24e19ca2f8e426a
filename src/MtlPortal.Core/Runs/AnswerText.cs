using System.Globalization;
using System.Text.RegularExpressions;

namespace MtlPortal.Runs;

/// <summary>What the runner reads out of a model's answer: the program, and which memory it says it used.</summary>
public static partial class AnswerText
{
    /// <summary>The last fenced code block's contents, or the whole answer when it has none.</summary>
    public static string Program(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var blocks = FencedBlock().Matches(answer.Replace("\r\n", "\n", StringComparison.Ordinal));
        return blocks.Count == 0 ? answer.Trim('\n') : blocks[^1].Groups["code"].Value.TrimEnd('\n');
    }

    /// <summary>
    /// The memory rank from the answer's "Memory used: N" line (the request <see cref="Agents.PromptBlock"/> makes);
    /// null for "none", for no such line, or for a number outside 1..<paramref name="shown"/>.
    /// </summary>
    public static int? MemoryUsed(string answer, int shown)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var said = MemoryUsedLine().Matches(answer);
        if (said.Count == 0 || !int.TryParse(said[^1].Groups["rank"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var rank))
        {
            return null;
        }

        return rank >= 1 && rank <= shown ? rank : null;
    }

    // A fence of three or more backticks with an optional language tag; the closing fence is matched lazily so each
    // block ends at its own fence.
    [GeneratedRegex(@"^[ \t]*```+[^\n`]*\n(?<code>.*?)^[ \t]*```+[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"memory used\W{0,3}\s*(?:memory\s*)?#?(?<rank>\d+|none)", RegexOptions.IgnoreCase)]
    private static partial Regex MemoryUsedLine();
}
