using System.Text;
using System.Text.RegularExpressions;
using MtlPortal.Sandbox;

namespace MtlPortal.Benchmarks;

/// <summary>
/// Turns a task and an answer (the code a model wrote, already taken out of its reply) into the program the
/// sandbox runs: <see cref="BenchmarkTask.Header"/>, then the solution, then the tests. For a
/// <see cref="AnswerStyle.Completion"/> task the solution is the task's preamble continued by the answer (the
/// function's body), or, when the answer repeats the function's signature, the answer in place of that signature
/// with whatever the preamble needs around it (imports, Java's class). A <see cref="AnswerStyle.Standalone"/>
/// answer is the solution as it is.
/// </summary>
public static partial class ProgramAssembly
{
    /// <summary>The program that checks <paramref name="answer"/> against the task's hidden tests.</summary>
    public static SandboxProgram ForAnswer(BenchmarkTask task, string answer) =>
        Build(task, answer, task.Tests);

    /// <summary>
    /// The program that runs <paramref name="answer"/> against the task's example tests only (what an agent may try
    /// while it works); null when the task has none.
    /// </summary>
    public static SandboxProgram? ForExamples(BenchmarkTask task, string answer) =>
        task.ExampleTests is { Length: > 0 } examples ? Build(task, answer, examples) : null;

    /// <summary>The program that checks the task's reference solution; null when it has none.</summary>
    public static SandboxProgram? ForReference(BenchmarkTask task) =>
        task.ReferenceSolution is { } reference ? ForAnswer(task, reference) : null;

    /// <summary>The solution part of the program: what the answer means once placed after the preamble.</summary>
    public static string Solution(BenchmarkTask task, string answer)
    {
        ArgumentNullException.ThrowIfNull(task);
        answer = (answer ?? "").Replace("\r\n", "\n", StringComparison.Ordinal);
        if (task.Style == AnswerStyle.Standalone)
        {
            return answer;
        }

        return task.Language == SandboxLanguage.Python ? PythonSolution(task, answer) : BracedSolution(task, answer);
    }

    private static SandboxProgram Build(BenchmarkTask task, string answer, string tests)
    {
        var program = new StringBuilder();
        AppendPart(program, task.Header);
        AppendPart(program, Solution(task, answer));
        AppendPart(program, tests);
        var source = program.ToString();
        return new SandboxProgram(task.Language, task.Language == SandboxLanguage.Go ? GoImports.Tidy(source) : source);
    }

    private static void AppendPart(StringBuilder program, string part)
    {
        if (part.Length == 0)
        {
            return;
        }

        if (program.Length > 0 && program[^1] != '\n')
        {
            program.Append('\n');
        }

        program.Append(part);
    }

    /// <summary>
    /// A Python answer that defines the entry point at the left margin is a whole function: it goes after the
    /// preamble, whose own definition (a signature and docstring, valid on its own) it then replaces. Otherwise it
    /// is the body, indented under the signature if the model wrote it flush left.
    /// </summary>
    private static string PythonSolution(BenchmarkTask task, string answer)
    {
        var dedented = Dedent(answer);
        if (Regex.IsMatch(dedented, $@"^(async\s+)?def\s+{Regex.Escape(task.EntryPoint)}\s*\(", RegexOptions.Multiline))
        {
            return task.Preamble.TrimEnd('\n') + "\n\n\n" + dedented;
        }

        var firstLine = answer.Split('\n').FirstOrDefault(l => l.Trim().Length > 0) ?? "";
        var body = firstLine.Length > 0 && !char.IsWhiteSpace(firstLine[0])
            ? string.Join('\n', answer.Split('\n').Select(l => l.Length > 0 ? "    " + l : l))
            : answer;
        return task.Preamble.EndsWith('\n') ? task.Preamble + body : task.Preamble + "\n" + body;
    }

    /// <summary>
    /// For the brace languages: when the answer defines the entry point, it replaces the preamble's signature line
    /// (and, in Java, the class line when the answer brings its own class); the lines before those (includes,
    /// imports) stay. A Java method without its class is closed into the preamble's class.
    /// </summary>
    private static string BracedSolution(BenchmarkTask task, string answer)
    {
        var definition = Definition(task.Language, task.EntryPoint);
        if (!definition.IsMatch(answer))
        {
            return task.Preamble.EndsWith('\n') || task.Preamble.Length == 0 ? task.Preamble + answer : task.Preamble + "\n" + answer;
        }

        var lines = task.Preamble.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var signature = Array.FindIndex(lines, l => definition.IsMatch(l));
        var keep = signature < 0 ? lines.Length : signature;
        var closeClass = false;
        if (task.Language == SandboxLanguage.Java)
        {
            var classLine = Array.FindIndex(lines, 0, keep, l => JavaClass().IsMatch(l));
            if (classLine >= 0 && JavaClass().IsMatch(answer))
            {
                keep = classLine;
            }
            else
            {
                closeClass = classLine >= 0;
            }
        }

        var context = string.Join('\n', lines.Take(keep));
        var solution = context.Length > 0 ? context.TrimEnd('\n') + "\n" + answer : answer;
        return closeClass ? solution.TrimEnd() + "\n}\n" : solution;
    }

    /// <summary>A line that defines (not merely calls) the entry point, per language.</summary>
    private static Regex Definition(SandboxLanguage language, string entryPoint)
    {
        var name = Regex.Escape(entryPoint);
        return language switch
        {
            SandboxLanguage.JavaScript => new Regex($@"^\s*((export\s+)?(async\s+)?function\s*\*?\s*{name}\s*\(|(const|let|var)\s+{name}\s*=\s*(async\s*)?(\(|function\b|[A-Za-z_$][\w$]*\s*=>))", RegexOptions.Multiline),
            SandboxLanguage.Go => new Regex($@"^\s*func\s+{name}\s*[\[(]", RegexOptions.Multiline),
            SandboxLanguage.Rust => new Regex($@"^\s*(pub\s+)?fn\s+{name}\s*[<(]", RegexOptions.Multiline),
            // C++ and Java: a type (with qualifiers, templates, pointers) then the name and "(", on a line that is
            // not a statement (no "return", not ending in ";").
            _ => new Regex($@"^[ \t]*(?!return\b|else\b|if\b|while\b|for\b|case\b)[A-Za-z_][\w:<>,\[\] \t\*&]*[ \t\*&]{name}[ \t]*\((?![^\n]*;[ \t]*$)", RegexOptions.Multiline),
        };
    }

    private static string Dedent(string text)
    {
        var lines = text.Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart(' ', '\t').Length).DefaultIfEmpty(0).Min();
        return indent == 0 ? text : string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    [GeneratedRegex(@"^\s*(public\s+|final\s+)*class\s+\w+", RegexOptions.Multiline)]
    private static partial Regex JavaClass();
}
