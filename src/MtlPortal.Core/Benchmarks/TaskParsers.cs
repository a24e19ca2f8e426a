using System.Text.Json;
using System.Text.RegularExpressions;
using MtlPortal.Sandbox;
using MtlPortal.Validation;

namespace MtlPortal.Benchmarks;

/// <summary>
/// Reads one record of each benchmark format into a <see cref="BenchmarkTask"/> (not yet saved), or says what is
/// wrong with it, field by field. How each format's fields become the program's parts is documented in
/// <c>docs/benchmark-jsonl.md</c>.
/// </summary>
public static partial class TaskParsers
{
    /// <summary>Reads <paramref name="record"/> as <paramref name="format"/>; <paramref name="language"/> is the import's --language, if any.</summary>
    public static (BenchmarkTask? Task, List<FieldError> Errors) Parse(BenchmarkFormat format, JsonElement record, SandboxLanguage? language)
    {
        var errors = new List<FieldError>();
        if (record.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError("", "A task is a JSON object."));
            return (null, errors);
        }

        var fields = new Fields(record, errors);
        var task = format switch
        {
            BenchmarkFormat.HumanEval => HumanEval(fields, language),
            BenchmarkFormat.HumanEvalX => HumanEvalX(fields, language),
            BenchmarkFormat.Mbpp => Mbpp(fields),
            BenchmarkFormat.MbppSanitized => MbppSanitized(fields),
            _ => OwnTasks(fields, language),
        };
        if (task is not null)
        {
            Check(task, errors);
        }

        return (errors.Count == 0 ? task : null, errors);
    }

    /// <summary>Reads a format's name as the CLI and the docs write it.</summary>
    public static BenchmarkFormat? ParseFormat(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "humaneval" => BenchmarkFormat.HumanEval,
        "humaneval-x" or "humanevalx" => BenchmarkFormat.HumanEvalX,
        "mbpp" => BenchmarkFormat.Mbpp,
        "mbpp-sanitized" => BenchmarkFormat.MbppSanitized,
        "tasks" => BenchmarkFormat.Tasks,
        _ => null,
    };

    public static string FormatName(BenchmarkFormat format) => format switch
    {
        BenchmarkFormat.HumanEval => "humaneval",
        BenchmarkFormat.HumanEvalX => "humaneval-x",
        BenchmarkFormat.Mbpp => "mbpp",
        BenchmarkFormat.MbppSanitized => "mbpp-sanitized",
        _ => "tasks",
    };

    private static BenchmarkTask? HumanEval(Fields fields, SandboxLanguage? language)
    {
        if (language is { } other && other != SandboxLanguage.Python)
        {
            fields.Errors.Add(new FieldError("language", "HumanEval is a Python benchmark; for other languages import HumanEval-X."));
            return null;
        }

        var taskId = fields.Required("task_id");
        var prompt = fields.Required("prompt");
        var entryPoint = fields.Required("entry_point");
        var test = fields.Required("test");
        var solution = fields.Optional("canonical_solution");
        if (taskId is null || prompt is null || entryPoint is null || test is null)
        {
            return null;
        }

        return new BenchmarkTask
        {
            TaskId = taskId, Language = SandboxLanguage.Python, Style = AnswerStyle.Completion, Prompt = prompt, EntryPoint = entryPoint,
            Preamble = prompt, Tests = PythonCheck(test, entryPoint), ReferenceSolution = solution,
        };
    }

    private static BenchmarkTask? HumanEvalX(Fields fields, SandboxLanguage? language)
    {
        var taskId = fields.Required("task_id");
        var prompt = fields.Required("prompt");
        var declaration = fields.Required("declaration");
        var test = fields.Required("test");
        var solution = fields.Optional("canonical_solution");
        var example = fields.Optional("example_test");
        if (taskId is null || prompt is null || declaration is null || test is null)
        {
            return null;
        }

        // The task ids carry the language ("CPP/12"); --language may name it, but must then agree.
        var fromId = SandboxLanguages.Parse(taskId.Split('/')[0]);
        var lang = language ?? fromId;
        if (lang is null)
        {
            fields.Errors.Add(new FieldError("task_id", $"The language cannot be told from '{taskId}'; name it with --language."));
            return null;
        }

        if (language is not null && fromId is not null && fromId != language)
        {
            fields.Errors.Add(new FieldError("task_id", $"'{taskId}' is a {fromId.Value.Name()} task, but the import is for {language.Value.Name()}."));
            return null;
        }

        var entryPoint = EntryPointOf(lang.Value, declaration);
        if (entryPoint is null)
        {
            fields.Errors.Add(new FieldError("declaration", "No function signature found on the declaration's last line."));
            return null;
        }

        var task = new BenchmarkTask
        {
            TaskId = taskId, Language = lang.Value, Style = AnswerStyle.Completion, Prompt = prompt, EntryPoint = entryPoint,
            Preamble = declaration, Tests = test, ExampleTests = string.IsNullOrWhiteSpace(example) ? null : example, ReferenceSolution = solution,
        };
        switch (lang.Value)
        {
            case SandboxLanguage.Python:
                // The HumanEval layout: the prompt (signature and docstring) is what the answer continues.
                task.Preamble = prompt;
                task.Tests = PythonCheck(test, entryPoint);
                break;
            case SandboxLanguage.Cpp:
                // Some declarations run into the body (task 38's holds half of it), so the answer continues the
                // prompt, as in the benchmark's own harness; includes only the declaration has go first.
                task.Preamble = prompt;
                task.Header = string.Join('\n', declaration.Split('\n')
                    .Where(l => (l.StartsWith("#include", StringComparison.Ordinal) || l.StartsWith("using namespace", StringComparison.Ordinal)) && !prompt.Contains(l, StringComparison.Ordinal)));
                break;
            case SandboxLanguage.Go:
                // The prompt holds the import block the declaration lacks; the package clause and the test imports
                // come first, from test_setup. Go wants every import before any other declaration, so the stand-in
                // for testify goes after the tests.
                task.Preamble = prompt;
                task.Header = GoTestSetup(fields.Optional("test_setup") ?? "package main\n\nimport (\n    \"testing\"\n    \"github.com/stretchr/testify/assert\"\n)\n", out var usesTestify);
                if (usesTestify)
                {
                    task.Tests = test.TrimEnd() + "\n" + GoTestifyStandIn;
                    task.ExampleTests = task.ExampleTests is null ? null : task.ExampleTests.TrimEnd() + "\n" + GoTestifyStandIn;
                }

                break;
            case SandboxLanguage.Rust:
                // The crates the declaration names (rand, regex, md5) cannot be fetched inside the sandbox and
                // almost no task uses them; the few that do fail verification and are left out of runs.
                task.Preamble = RustUnavailableCrate().Replace(declaration, "");
                task.Prompt = prompt.TrimEnd('\n') + "\n" + task.Preamble.TrimStart('\n');
                break;
        }

        return task;
    }

    private static BenchmarkTask? Mbpp(Fields fields)
    {
        var taskId = fields.RequiredId("task_id");
        var text = fields.Required("text");
        var code = fields.Optional("code");
        var tests = fields.RequiredList("test_list");
        var setup = fields.Optional("test_setup_code") ?? "";
        return MbppTask(fields, taskId, text, code, tests, setup);
    }

    private static BenchmarkTask? MbppSanitized(Fields fields)
    {
        var taskId = fields.RequiredId("task_id");
        var text = fields.Required("prompt");
        var code = fields.Optional("code");
        var tests = fields.RequiredList("test_list");
        var imports = fields.OptionalList("test_imports") ?? [];
        return MbppTask(fields, taskId, text, code, tests, string.Join('\n', imports));
    }

    /// <summary>
    /// MBPP as the original paper prompts it: the description and the asserts the answer must pass. The answer is a
    /// whole module; the program is the answer, the setup code, then the asserts.
    /// </summary>
    private static BenchmarkTask? MbppTask(Fields fields, string? taskId, string? text, string? code, List<string>? tests, string setup)
    {
        if (taskId is null || text is null || tests is null)
        {
            return null;
        }

        if (tests.Count == 0)
        {
            fields.Errors.Add(new FieldError("test_list", "At least one test is needed."));
            return null;
        }

        var entryPoint = MbppEntryPoint(code, tests[0]);
        if (entryPoint is null)
        {
            fields.Errors.Add(new FieldError("test_list", "The first test calls no function."));
            return null;
        }

        var asserts = string.Join('\n', tests.Select(Unix));
        return new BenchmarkTask
        {
            TaskId = "Mbpp/" + taskId, Language = SandboxLanguage.Python, Style = AnswerStyle.Standalone,
            Prompt = $"{Unix(text).Trim()}\nYour code should pass these tests:\n\n{asserts}\n",
            EntryPoint = entryPoint,
            Tests = setup.Trim().Length > 0 ? Unix(setup).TrimEnd() + "\n" + asserts + "\n" : asserts + "\n",
            ExampleTests = asserts + "\n",
            ReferenceSolution = code is null ? null : Unix(code),
        };
    }

    /// <summary>The portal's own task format, docs/benchmark-jsonl.md.</summary>
    private static BenchmarkTask? OwnTasks(Fields fields, SandboxLanguage? language)
    {
        var taskId = fields.RequiredId("id");
        var languageName = fields.Optional("language");
        var prompt = fields.Required("prompt");
        var tests = fields.Required("tests");
        var entryPoint = fields.Required("entry_point");
        var styleName = fields.Optional("style") ?? "standalone";
        var preamble = fields.Optional("preamble") ?? "";
        var header = fields.Optional("header") ?? "";
        var examples = fields.Optional("example_tests");
        var reference = fields.Optional("reference");

        SandboxLanguage? lang = language;
        if (languageName is not null)
        {
            lang = SandboxLanguages.Parse(languageName);
            if (lang is null)
            {
                fields.Errors.Add(new FieldError("language", $"'{languageName}' is not one of: {string.Join(", ", SandboxLanguages.All.Select(l => l.Name()))}."));
            }
        }
        else if (lang is null)
        {
            fields.Errors.Add(new FieldError("language", "The language is required (or name it for the whole file with --language)."));
        }

        AnswerStyle? style = styleName.Trim().ToLowerInvariant() switch
        {
            "completion" => AnswerStyle.Completion,
            "standalone" => AnswerStyle.Standalone,
            _ => null,
        };
        if (style is null)
        {
            fields.Errors.Add(new FieldError("style", "The style is \"completion\" or \"standalone\"."));
        }
        else if (style == AnswerStyle.Completion && preamble.Trim().Length == 0)
        {
            fields.Errors.Add(new FieldError("preamble", "A completion task needs the preamble its answers continue (the signature, at least)."));
        }

        if (taskId is null || prompt is null || tests is null || entryPoint is null || lang is null || style is null)
        {
            return null;
        }

        return new BenchmarkTask
        {
            TaskId = taskId, Language = lang.Value, Style = style.Value, Prompt = prompt, EntryPoint = entryPoint, Header = header,
            Preamble = style == AnswerStyle.Completion ? preamble : "", Tests = tests,
            ExampleTests = string.IsNullOrWhiteSpace(examples) ? null : examples, ReferenceSolution = reference,
        };
    }

    private static void Check(BenchmarkTask task, List<FieldError> errors)
    {
        if (task.TaskId.Trim().Length == 0 || task.TaskId.Length > BenchmarkTask.TaskIdMax)
        {
            errors.Add(new FieldError("task_id", $"A task id has 1 to {BenchmarkTask.TaskIdMax} characters."));
        }

        if (task.Prompt.Trim().Length == 0)
        {
            errors.Add(new FieldError("prompt", "The prompt is empty."));
        }

        if (task.Tests.Trim().Length == 0)
        {
            errors.Add(new FieldError("tests", "The tests are empty."));
        }

        if (!Identifier().IsMatch(task.EntryPoint) || task.EntryPoint.Length > BenchmarkTask.EntryPointMax)
        {
            errors.Add(new FieldError("entry_point", $"'{task.EntryPoint}' is not a function name."));
        }
    }

    private static string PythonCheck(string test, string entryPoint) => test.TrimEnd() + $"\n\n\ncheck({entryPoint})\n";

    /// <summary>
    /// HumanEval-X's Go tests import testify's assert package, which the sandbox (offline) cannot download. The
    /// tests use only <c>assert.New(t)</c> and <c>Equal</c>; <see cref="GoTestifyStandIn"/> stands in with testify's
    /// own comparison (<c>ObjectsAreEqual</c>: equal bytes, else <c>reflect.DeepEqual</c>).
    /// </summary>
    private static string GoTestSetup(string setup, out bool usesTestify)
    {
        usesTestify = setup.Contains("\"github.com/stretchr/testify/assert\"", StringComparison.Ordinal);
        return usesTestify
            ? setup.Replace("\"github.com/stretchr/testify/assert\"", "testifyBytes \"bytes\"\n    testifyReflect \"reflect\"", StringComparison.Ordinal)
            : setup;
    }

    private const string GoTestifyStandIn = """

        type testifyPackage struct{}

        type testifyAssertions struct{ t *testing.T }

        var assert testifyPackage

        func (testifyPackage) New(t *testing.T) *testifyAssertions { return &testifyAssertions{t} }

        func (a *testifyAssertions) Equal(expected, actual interface{}, msgAndArgs ...interface{}) bool {
            a.t.Helper()
            exp, expBytes := expected.([]byte)
            act, actBytes := actual.([]byte)
            equal := testifyReflect.DeepEqual(expected, actual)
            if expBytes && actBytes {
                equal = testifyBytes.Equal(exp, act)
            }
            if !equal {
                a.t.Errorf("Not equal:\nexpected: %#v\nactual  : %#v %v", expected, actual, msgAndArgs)
            }
            return equal
        }

        """;

    /// <summary>
    /// The function a HumanEval-X declaration ends with: the last definition in it (some declarations define helpers
    /// first, or run into the body, or declare exceptions after the parameters).
    /// </summary>
    private static string? EntryPointOf(SandboxLanguage language, string declaration)
    {
        var pattern = language switch
        {
            SandboxLanguage.Python => @"^def\s+(\w+)\s*\(",
            SandboxLanguage.JavaScript => @"^\s*(?:function\s+(\w+)\s*\(|(?:const|let|var)\s+(\w+)\s*=)",
            SandboxLanguage.Go => @"^\s*func\s+(\w+)\s*\(",
            SandboxLanguage.Rust => @"^\s*(?:pub\s+)?fn\s+(\w+)\s*[<(]",
            _ => @"^[ \t]*(?!return\b|else\b|if\b|while\b|for\b|switch\b|case\b|new\b)[A-Za-z_][\w:<>,\[\]\.\? \t\*&]*[ \t\*&>](\w+)[ \t]*\(",
        };
        var match = Regex.Matches(declaration.Replace("\r\n", "\n", StringComparison.Ordinal), pattern, RegexOptions.Multiline).LastOrDefault();
        return match?.Groups.Cast<Group>().Skip(1).FirstOrDefault(g => g.Success)?.Value;
    }

    /// <summary>MBPP's function: the one its code defines and the first test calls (some tasks name a built-in, e.g. "sum").</summary>
    private static string? MbppEntryPoint(string? code, string firstTest)
    {
        var defined = code is null ? [] : PythonDefinition().Matches(Unix(code)).Select(m => m.Groups[1].Value).ToList();
        var called = defined.FirstOrDefault(name => Regex.IsMatch(firstTest, $@"\b{Regex.Escape(name)}\s*\("));
        return called ?? (CalledFunction().Match(firstTest) is { Success: true } call ? call.Groups[1].Value : defined.LastOrDefault());
    }

    [GeneratedRegex(@"^def\s+(\w+)\s*\(", RegexOptions.Multiline)]
    private static partial Regex PythonDefinition();

    private static string Unix(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    [GeneratedRegex(@"^use\s+(rand|regex|md5)\b[^;]*;[ \t]*\n?", RegexOptions.Multiline)]
    private static partial Regex RustUnavailableCrate();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    /// <summary>The first call in an assert that is not a built-in wrapper (set, sorted, abs, …).</summary>
    private static Regex CalledFunction() => CalledFunctionRegex();

    [GeneratedRegex(@"(?!(?:set|sorted|abs|round|list|tuple|len|str|int|float|math|isclose|all|any|frozenset|dict|sum|max|min|type|repr|bool)\s*\()\b([A-Za-z_]\w*)\s*\(")]
    private static partial Regex CalledFunctionRegex();

    /// <summary>Field access that records what is missing or mistyped.</summary>
    private sealed class Fields(JsonElement record, List<FieldError> errors)
    {
        public List<FieldError> Errors => errors;

        public string? Required(string name)
        {
            var value = Optional(name);
            if (value is null && !errors.Any(e => e.Field == name))
            {
                errors.Add(new FieldError(name, $"\"{name}\" is required."));
            }

            return value;
        }

        public string? Optional(string name)
        {
            if (!record.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                errors.Add(new FieldError(name, $"\"{name}\" must be a string."));
                return null;
            }

            return value.GetString();
        }

        /// <summary>An id written as a string or a number.</summary>
        public string? RequiredId(string name)
        {
            if (record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number)
            {
                return value.GetRawText();
            }

            return Required(name);
        }

        public List<string>? RequiredList(string name)
        {
            var list = OptionalList(name);
            if (list is null && !errors.Any(e => e.Field == name))
            {
                errors.Add(new FieldError(name, $"\"{name}\" is required (a list of strings)."));
            }

            return list;
        }

        public List<string>? OptionalList(string name)
        {
            if (!record.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
            {
                errors.Add(new FieldError(name, $"\"{name}\" must be a list of strings."));
                return null;
            }

            return [.. value.EnumerateArray().Select(v => v.GetString()!)];
        }
    }
}
