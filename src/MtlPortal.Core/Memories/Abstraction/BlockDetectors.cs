using System.Text.RegularExpressions;

namespace MtlPortal.Memories.Abstraction;

/// <summary>
/// The line-based rules: fenced code blocks, terminal sessions, stack traces and indented code blocks. They
/// run before the token rules because a block explains everything inside it.
/// </summary>
internal static partial class BlockDetectors
{
    private const string CodeBlockMessage = "Contains a code block; state the procedure in words instead of showing code.";
    private const string TerminalMessage = "Contains a terminal session; say what the commands were for and what their output told you.";
    private const string StackTraceMessage = "Contains a stack trace; say what kind of failure it was and how you diagnosed it.";

    /// <summary>```/~~~ fences as Markdown reads them; an unclosed fence runs to the end, as it does while typing.</summary>
    public static void FindFencedCodeBlocks(SpanCollector spans, List<TextLine> lines)
    {
        var text = spans.Text;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!TryReadFence(text, lines[i], out var fence, out var start))
            {
                continue;
            }

            var last = lines.Count - 1;
            for (var j = i + 1; j < lines.Count; j++)
            {
                if (IsClosingFence(text, lines[j], fence))
                {
                    last = j;
                    break;
                }
            }

            spans.TryAdd(AbstractionRules.CodeBlock, start, EndOfLastContent(text, lines, i, last) - start, CodeBlockMessage);
            i = last;
        }
    }

    /// <summary>
    /// A pasted terminal session: a line that starts with a shell or REPL prompt ("$ ", "&gt;&gt;&gt; ", "PS C:\&gt; ")
    /// and the output after it, up to the next blank line. Runs before stack traces, so a command and the trace
    /// it printed are one finding.
    /// </summary>
    public static void FindTerminalSessions(SpanCollector spans, List<TextLine> lines)
    {
        var text = spans.Text;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!PromptLine().IsMatch(lines[i].In(text)))
            {
                continue;
            }

            var last = i;
            while (last + 1 < lines.Count && !lines[last + 1].IsBlank(text))
            {
                last++;
            }

            var start = lines[i].ContentStart(text);
            spans.TryAdd(AbstractionRules.CodeBlock, start, lines[last].ContentEnd(text) - start, TerminalMessage);
            i = last;
        }
    }

    /// <summary>
    /// A trace is a run of frame lines (see <see cref="StackFrameLine"/>), with the exception line just before
    /// it (Java, .NET, JavaScript) or after it (Python), and for Python the indented source lines and carets
    /// between frames. One frame line is enough: nothing else looks like "at com.acme.Foo.bar(Foo.java:42)".
    /// </summary>
    public static void FindStackTraces(SpanCollector spans, List<TextLine> lines)
    {
        var text = spans.Text;
        var previousLast = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!StackFrameLine().IsMatch(lines[i].In(text)))
            {
                continue;
            }

            var first = i > previousLast + 1 && ExceptionLine().IsMatch(lines[i - 1].In(text)) ? i - 1 : i;
            var python = PythonFrameLine().IsMatch(lines[i].In(text));
            var last = i;
            for (var j = i + 1; j < lines.Count; j++)
            {
                var line = lines[j].In(text);
                if (StackFrameLine().IsMatch(line))
                {
                    python |= PythonFrameLine().IsMatch(line);
                    last = j;
                }
                else if ((python && line.Length > 0 && line[0] is ' ' or '\t' && !line.IsWhiteSpace()) || ExceptionLine().IsMatch(line))
                {
                    last = j;
                }
                else if (line.IsWhiteSpace() || GoCallLine().IsMatch(line))
                {
                    // Blank lines between chained exceptions, and Go's "main.main()" above its location line,
                    // belong to the trace only if a frame follows.
                    var next = j + 1;
                    while (next < lines.Count && lines[next].IsBlank(text))
                    {
                        next++;
                    }

                    if (next == lines.Count || !StackFrameLine().IsMatch(lines[next].In(text)))
                    {
                        break;
                    }

                    j = next - 1;
                }
                else
                {
                    break;
                }
            }

            var start = lines[first].ContentStart(text);
            spans.TryAdd(AbstractionRules.StackTrace, start, EndOfLastContent(text, lines, first, last) - start, StackTraceMessage);
            previousLast = last;
            i = last;
        }
    }

    /// <summary>
    /// Lines indented by four spaces or a tab after a blank line, as in Markdown, but only when one of them
    /// looks like code (<see cref="CodeLikeLine"/>): plain-text memories also indent prose for layout.
    /// </summary>
    public static void FindIndentedCodeBlocks(SpanCollector spans, List<TextLine> lines)
    {
        var text = spans.Text;
        var previousBlank = true;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].IsBlank(text))
            {
                previousBlank = true;
                continue;
            }

            if (!previousBlank || !IsIndented(text, lines[i]) || ListItemLine().IsMatch(lines[i].In(text)))
            {
                previousBlank = false;
                continue;
            }

            var last = i;
            var looksLikeCode = CodeLikeLine().IsMatch(lines[i].In(text));
            for (var j = i + 1; j < lines.Count; j++)
            {
                if (lines[j].IsBlank(text))
                {
                    continue;
                }

                if (!IsIndented(text, lines[j]))
                {
                    break;
                }

                looksLikeCode |= CodeLikeLine().IsMatch(lines[j].In(text));
                last = j;
            }

            if (looksLikeCode)
            {
                var start = lines[i].ContentStart(text);
                spans.TryAdd(AbstractionRules.CodeBlock, start, EndOfLastContent(text, lines, i, last) - start, CodeBlockMessage);
            }

            previousBlank = false;
            i = last;
        }
    }

    private static bool TryReadFence(string text, TextLine line, out ReadOnlySpan<char> fence, out int start)
    {
        fence = default;
        start = line.ContentStart(text);
        if (start - line.Start > 3 || line.End - start < 3)
        {
            return false;
        }

        var marker = text[start];
        if (marker is not ('`' or '~'))
        {
            return false;
        }

        var length = 0;
        while (start + length < line.End && text[start + length] == marker)
        {
            length++;
        }

        // Markdown forbids backticks in a backtick fence's info string; "```a``` b" is inline code, not a fence.
        if (length < 3 || (marker == '`' && text.AsSpan(start + length, line.End - start - length).Contains('`')))
        {
            return false;
        }

        fence = text.AsSpan(start, length);
        return true;
    }

    private static bool IsClosingFence(string text, TextLine line, ReadOnlySpan<char> fence)
    {
        var content = text.AsSpan(line.Start, line.End - line.Start).Trim();
        return content.Length >= fence.Length
            && content.StartsWith(fence, StringComparison.Ordinal)
            && content.TrimStart(fence[0]).IsEmpty;
    }

    private static bool IsIndented(string text, TextLine line) =>
        line.In(text).StartsWith("    ", StringComparison.Ordinal) || line.In(text).StartsWith('\t');

    private static int EndOfLastContent(string text, List<TextLine> lines, int first, int last)
    {
        for (var i = last; i > first; i--)
        {
            if (!lines[i].IsBlank(text))
            {
                return lines[i].ContentEnd(text);
            }
        }

        return lines[first].ContentEnd(text);
    }

    // One alternative per runtime's frame or header line. Anchored at the line start, after indentation.
    [GeneratedRegex(
        @"^[ \t]*(?:" +
        @"Traceback \(most recent call last\)" +
        @"|File ""[^""]+"", line \d+" +
        @"|During handling of the above exception" +
        @"|The above exception was the direct cause" +
        // Java, .NET and JavaScript frames: a dotted or <anonymous> name with arguments, or a location.
        @"|at (?:(?=[^\s()]*[.<$/])[^\s()]+ ?\(.*\)|[^\s()]+ ?\(.*:\d+\)|[^\s()]+:\d+(?::\d+)?\)?$)" +
        @"|Exception in thread """ +
        @"|Caused by: \S" +
        @"|\.\.\. \d+ (?:more|common frames omitted)" +
        @"|--- End of (?:inner exception )?stack trace" +
        @"|(?:from )?\S+:\d+:in [`']" +
        @"|#\d+ \S+\(\d+\): " +
        @"|panic: " +
        @"|goroutine \d+ \[" +
        @"|thread '[^']*' panicked at " +
        @"|\S+\.(?:go|rs|py|rb|js|mjs|ts|java|kt|cs|c|cc|cpp|php):\d+(?::\d+)?(?: \+0x[0-9a-fA-F]+)?$" +
        @")")]
    private static partial Regex StackFrameLine();

    // Go prints the function ("main.main()", "main.divide(0x4, 0x0)") on the line above its location.
    [GeneratedRegex(@"^[\w./*()-]+\(.*\)$")]
    private static partial Regex GoCallLine();

    [GeneratedRegex(@"^[ \t]*File ""[^""]+"", line \d+")]
    private static partial Regex PythonFrameLine();

    // "ValueError: invalid literal", "java.lang.IllegalStateException: closed", "Error: Cannot find module 'x'".
    [GeneratedRegex(
        @"^[ \t]*(?:Uncaught |Unhandled exception\. )?(?:[\w$]+\.)*[\w$]*(?:Error|Exception|Throwable|Interrupt|Exit)(?::.*)?$")]
    private static partial Regex ExceptionLine();

    [GeneratedRegex(@"^[ \t]*(?:\$|>>>|PS [A-Za-z]:\\[^>]*>) \S")]
    private static partial Regex PromptLine();

    [GeneratedRegex(@"^[ \t]*(?:[-*+•]|\d+[.)])[ \t]")]
    private static partial Regex ListItemLine();

    // Statement punctuation, a call, a shell prompt or a declaration keyword.
    [GeneratedRegex(
        @"[;{}=<>$]|\w\(|^[ \t]*(?:[$>#] |def \w|class \w|import \w|from \S+ import |#include|function\b|(?:public|private|protected|internal|static) )")]
    private static partial Regex CodeLikeLine();
}
