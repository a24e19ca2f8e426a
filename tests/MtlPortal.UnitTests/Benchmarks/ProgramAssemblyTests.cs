using MtlPortal.Benchmarks;
using MtlPortal.Sandbox;

namespace MtlPortal.UnitTests.Benchmarks;

public class ProgramAssemblyTests
{
    private static readonly BenchmarkTask HumanEval = new()
    {
        TaskId = "HumanEval/0", Language = SandboxLanguage.Python, Style = AnswerStyle.Completion, EntryPoint = "add",
        Prompt = "from typing import List\n\n\ndef add(a: int, b: int) -> int:\n    \"\"\"Add.\"\"\"\n",
        Preamble = "from typing import List\n\n\ndef add(a: int, b: int) -> int:\n    \"\"\"Add.\"\"\"\n",
        Tests = "def check(candidate):\n    assert candidate(2, 3) == 5\n\n\ncheck(add)\n",
        ExampleTests = "assert add(1, 1) == 2\n",
    };

    [Fact]
    public void ForAnswer_PythonBody_ContinuesThePrompt()
    {
        var program = ProgramAssembly.ForAnswer(HumanEval, "    return a + b\n");

        Assert.Equal(SandboxLanguage.Python, program.Language);
        Assert.Equal(HumanEval.Preamble + "    return a + b\n" + HumanEval.Tests, program.Source);
    }

    [Fact]
    public void ForAnswer_PythonBodyWrittenFlushLeft_IsIndentedUnderTheSignature()
    {
        var program = ProgramAssembly.ForAnswer(HumanEval, "total = a + b\nreturn total\n");

        Assert.Contains("\"\"\"Add.\"\"\"\n    total = a + b\n    return total\n", program.Source);
    }

    [Fact]
    public void ForAnswer_PythonWholeFunction_ReplacesThePromptsDefinitionAndKeepsItsImports()
    {
        var answer = "def add(a: int, b: int) -> int:\n    return a + b\n";

        var program = ProgramAssembly.ForAnswer(HumanEval, answer);

        Assert.StartsWith("from typing import List\n", program.Source, StringComparison.Ordinal);
        Assert.Contains("\"\"\"Add.\"\"\"\n\n\n" + answer, program.Source);
        Assert.EndsWith("check(add)\n", program.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void ForAnswer_PythonWholeFunctionIndentedAsInAFence_IsDedented()
    {
        var program = ProgramAssembly.ForAnswer(HumanEval, "    def add(a, b):\n        return a + b\n");

        Assert.Contains("\ndef add(a, b):\n    return a + b\n", program.Source);
    }

    [Fact]
    public void ForAnswer_StandaloneTask_IsTheAnswerThenTheTests()
    {
        var task = new BenchmarkTask { Language = SandboxLanguage.Python, Style = AnswerStyle.Standalone, EntryPoint = "add", Tests = "assert add(1, 2) == 3\n" };

        Assert.Equal("def add(a, b): return a + b\nassert add(1, 2) == 3\n", ProgramAssembly.ForAnswer(task, "def add(a, b): return a + b").Source);
    }

    [Fact]
    public void ForExamples_UsesTheExampleTestsNeverTheHiddenOnes()
    {
        var program = ProgramAssembly.ForExamples(HumanEval, "    return a + b\n")!;

        Assert.EndsWith("assert add(1, 1) == 2\n", program.Source, StringComparison.Ordinal);
        Assert.DoesNotContain("check(add)", program.Source);
        Assert.Null(ProgramAssembly.ForExamples(new BenchmarkTask { EntryPoint = "f" }, "x"));
    }

    [Fact]
    public void ForAnswer_CppWholeFunction_KeepsTheIncludesAndDropsTheOpenSignature()
    {
        var task = new BenchmarkTask
        {
            Language = SandboxLanguage.Cpp, Style = AnswerStyle.Completion, EntryPoint = "add",
            Preamble = "#include<vector>\nusing namespace std;\nint add(int a, int b){\n", Tests = "int main(){}\n",
        };

        var whole = ProgramAssembly.ForAnswer(task, "int add(int a, int b) {\n    return a + b;\n}\n").Source;
        var body = ProgramAssembly.ForAnswer(task, "    return a + b;\n}\n").Source;

        Assert.Equal("#include<vector>\nusing namespace std;\nint add(int a, int b) {\n    return a + b;\n}\nint main(){}\n", whole);
        Assert.Equal("#include<vector>\nusing namespace std;\nint add(int a, int b){\n    return a + b;\n}\nint main(){}\n", body);
    }

    [Fact]
    public void ForAnswer_JavaMethodWithoutItsClass_IsClosedIntoTheTasksClass()
    {
        var task = new BenchmarkTask
        {
            Language = SandboxLanguage.Java, Style = AnswerStyle.Completion, EntryPoint = "add",
            Preamble = "import java.util.*;\n\nclass Solution {\n    public int add(int a, int b) {\n", Tests = "public class Main {}\n",
        };

        var method = ProgramAssembly.ForAnswer(task, "public int add(int a, int b) {\n    return a + b;\n}").Source;
        var wholeClass = ProgramAssembly.ForAnswer(task, "class Solution {\n    public int add(int a, int b) { return a + b; }\n}\n").Source;

        Assert.Equal("import java.util.*;\n\nclass Solution {\npublic int add(int a, int b) {\n    return a + b;\n}\n}\npublic class Main {}\n", method);
        Assert.Equal("import java.util.*;\nclass Solution {\n    public int add(int a, int b) { return a + b; }\n}\npublic class Main {}\n", wholeClass);
    }

    [Fact]
    public void ForAnswer_BodyThatCallsItselfRecursively_IsStillABody()
    {
        var task = new BenchmarkTask
        {
            Language = SandboxLanguage.Cpp, Style = AnswerStyle.Completion, EntryPoint = "fib",
            Preamble = "int fib(int n){\n", Tests = "int main(){}\n",
        };

        var program = ProgramAssembly.ForAnswer(task, "    if (n < 2) return n;\n    return fib(n - 1) + fib(n - 2);\n}\n").Source;

        Assert.StartsWith("int fib(int n){\n    if (n < 2)", program, StringComparison.Ordinal);
    }

    [Fact]
    public void ForAnswer_GoPartsWithOverlappingImports_BecomeOneBlockOfUsedImports()
    {
        var task = new BenchmarkTask
        {
            Language = SandboxLanguage.Go, Style = AnswerStyle.Completion, EntryPoint = "Words",
            Header = "package main\n\nimport (\n    \"testing\"\n    \"time\"\n)\n",
            Preamble = "import (\n    \"math\"\n    \"time\"\n)\n\nfunc Words(s string) []string {\n",
            Tests = "func TestWords(t *testing.T) {\n    _ = Words(\"a b\")\n}\n",
        };

        var program = ProgramAssembly.ForAnswer(task, "    return strings.Fields(s) // math.Pi is not used\n}\n").Source;

        Assert.StartsWith("package main\n\nimport (\n    \"testing\"\n    \"strings\"\n)\n", program, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(program, "import"));
        Assert.Contains("func Words(s string) []string {\n    return strings.Fields(s)", program);
    }

    [Fact]
    public void ForAnswer_JavaScriptBodyWithALocalNamedAsTheFunction_IsStillABody()
    {
        // HumanEval-X JavaScript/106: the function is f, and its body declares "let f = 1".
        var task = new BenchmarkTask
        {
            Language = SandboxLanguage.JavaScript, Style = AnswerStyle.Completion, EntryPoint = "f",
            Preamble = "\nconst f = (n) => {\n", Tests = "f(3)\n",
        };

        var body = ProgramAssembly.ForAnswer(task, "  let f = 1\n  return f\n}\n").Source;
        var whole = ProgramAssembly.ForAnswer(task, "const f = (n) => {\n  return 1\n}\n").Source;

        Assert.Equal("\nconst f = (n) => {\n  let f = 1\n  return f\n}\nf(3)\n", body);
        Assert.Equal("const f = (n) => {\n  return 1\n}\nf(3)\n", whole);
    }
}
