namespace MtlPortal.Sandbox;

/// <summary>How one language's program is laid out, built and run inside the sandbox's folder.</summary>
/// <param name="FileName">The program's file.</param>
/// <param name="Compile">The build command, or null for interpreted languages.</param>
/// <param name="Run">The run command.</param>
/// <param name="LargeRuntime">Runtimes that reserve far more address space than they use get the large limit.</param>
/// <param name="Mounts">Toolchain folders outside the system ones, mounted read-only.</param>
/// <param name="PathFolders">Folders put first on PATH.</param>
/// <param name="Environment">Variables the toolchain needs.</param>
/// <param name="ExtraFiles">Other files the build needs (Go's go.mod, JavaScript's assertion prelude).</param>
internal sealed record LanguagePlan(
    string FileName,
    IReadOnlyList<string>? Compile,
    IReadOnlyList<string> Run,
    bool LargeRuntime,
    IReadOnlyList<string> Mounts,
    IReadOnlyList<string> PathFolders,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyDictionary<string, string> ExtraFiles);

internal static partial class LanguagePlans
{
    /// <summary>
    /// node's console.assert only prints; HumanEval-X's JavaScript tests rely on it, so a failed assertion must
    /// fail the program as it does in the benchmark's own harness.
    /// </summary>
    private const string JavaScriptPrelude = """
        'use strict';
        console.assert = (condition, ...message) => {
          if (!condition) {
            throw new Error('Assertion failed' + (message.length > 0 ? ': ' + message.join(' ') : ''));
          }
        };
        """;

    private const string GoModule = "module sandbox\n\ngo 1.18\n";

    public static LanguagePlan For(SandboxLanguage language, string source, Toolchains toolchains, SandboxOptions options)
    {
        const string Home = "/sandbox";
        var none = new Dictionary<string, string>();
        switch (language)
        {
            case SandboxLanguage.Python:
            {
                var python = toolchains["python3"]!;
                return new LanguagePlan("main.py", null, options.PythonSitePackages ? [python.Path, "-B", "main.py"] : [python.Path, "-B", "-S", "main.py"], false, python.Mounts, [Path.GetDirectoryName(python.Path)!],
                    new Dictionary<string, string> { ["PYTHONDONTWRITEBYTECODE"] = "1", ["PYTHONIOENCODING"] = "utf-8" }, none);
            }

            case SandboxLanguage.JavaScript:
            {
                var node = toolchains["node"]!;
                return new LanguagePlan("main.js", null, [node.Path, "--require", Home + "/prelude.js", "main.js"], true, node.Mounts, [Path.GetDirectoryName(node.Path)!],
                    none, new Dictionary<string, string> { ["prelude.js"] = JavaScriptPrelude });
            }

            case SandboxLanguage.Java:
            {
                var javac = toolchains["javac"]!;
                var java = toolchains["java"]!;
                var heap = Math.Max(64, options.MemoryMb / 2);
                return new LanguagePlan("Main.java",
                    [javac.Path, "-J-Xmx512m", "-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1", "-J-XX:-UsePerfData", "-nowarn", "-encoding", "UTF-8", "Main.java"],
                    [java.Path, $"-Xmx{heap}m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto", "-cp", ".", "Main"],
                    true, [.. javac.Mounts.Concat(java.Mounts).Distinct()], [Path.GetDirectoryName(java.Path)!], none, none);
            }

            case SandboxLanguage.Cpp:
            {
                var gxx = toolchains["g++"]!;
                return new LanguagePlan("main.cpp", [gxx.Path, "-std=c++17", "-O1", "-o", "main", "main.cpp"], ["./main"], false, gxx.Mounts, [Path.GetDirectoryName(gxx.Path)!], none, none);
            }

            case SandboxLanguage.Rust:
            {
                var rustc = toolchains["rustc"]!;
                // A program with #[test] functions is built as a test harness (HumanEval-X's layout); others need a main.
                var tests = source.Contains("#[test]", StringComparison.Ordinal);
                List<string> compile = [rustc.Path, "--edition", "2021", "-C", "opt-level=1", "-A", "warnings", "-o", "main", "main.rs"];
                if (tests)
                {
                    compile.Add("--test");
                }

                return new LanguagePlan("main.rs", compile, tests ? ["./main", "--test-threads=1", "-q"] : ["./main"], false, rustc.Mounts,
                    [Path.GetDirectoryName(rustc.Path)!], none, none);
            }

            default:
            {
                var go = toolchains["go"]!;
                var environment = new Dictionary<string, string>
                {
                    ["GOCACHE"] = Home + "/.cache/go-build",
                    ["GOPATH"] = Home + "/.go",
                    ["GOPROXY"] = "off",
                    ["GOFLAGS"] = "-mod=mod",
                    ["GOTOOLCHAIN"] = "local",
                    ["CGO_ENABLED"] = "0",
                    ["GO111MODULE"] = "on",
                };
                // Test functions (HumanEval-X's layout) build into a test binary; other programs into a plain one.
                var tests = TestFunction().IsMatch(source);
                return new LanguagePlan(tests ? "main_test.go" : "main.go",
                    tests ? [go.Path, "test", "-c", "-vet=off", "-o", "main.test", "."] : [go.Path, "build", "-o", "main", "."],
                    tests ? ["./main.test", "-test.count=1"] : ["./main"],
                    true, go.Mounts, [Path.GetDirectoryName(go.Path)!], environment, new Dictionary<string, string> { ["go.mod"] = GoModule });
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^func\s+Test\w*\s*\(", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex TestFunction();
}
