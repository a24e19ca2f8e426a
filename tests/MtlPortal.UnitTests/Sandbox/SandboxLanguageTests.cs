using MtlPortal.Sandbox;

namespace MtlPortal.UnitTests.Sandbox;

/// <summary>Each language builds and runs in the sandbox: a passing program passes, a failing assertion fails, broken code is a compile error.</summary>
public class SandboxLanguageTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    public static TheoryData<SandboxLanguage, string, string, string> Programs => new()
    {
        {
            SandboxLanguage.Python,
            "def add(a, b):\n    return a + b\nassert add(2, 3) == 5\n",
            "def add(a, b):\n    return a - b\nassert add(2, 3) == 5\n",
            "def add(a, b)\n    return a + b\n"
        },
        {
            SandboxLanguage.JavaScript,
            "const add = (a, b) => a + b;\nconsole.assert(add(2, 3) === 5);\n",
            "const add = (a, b) => a - b;\nconsole.assert(add(2, 3) === 5);\n",
            "const add = (a, b) => { return a + ;\n"
        },
        {
            SandboxLanguage.Java,
            "class Solution { int add(int a, int b) { return a + b; } }\npublic class Main { public static void main(String[] args) { if (new Solution().add(2, 3) != 5) throw new AssertionError(); } }\n",
            "class Solution { int add(int a, int b) { return a - b; } }\npublic class Main { public static void main(String[] args) { if (new Solution().add(2, 3) != 5) throw new AssertionError(); } }\n",
            "class Solution { int add(int a, int b) { return a + b } }\npublic class Main { public static void main(String[] args) { } }\n"
        },
        {
            SandboxLanguage.Cpp,
            "#undef NDEBUG\n#include <cassert>\nint add(int a, int b) { return a + b; }\nint main() { assert(add(2, 3) == 5); }\n",
            "#undef NDEBUG\n#include <cassert>\nint add(int a, int b) { return a - b; }\nint main() { assert(add(2, 3) == 5); }\n",
            "int add(int a, int b) { return a + b }\nint main() { }\n"
        },
        {
            SandboxLanguage.Rust,
            "fn add(a: i32, b: i32) -> i32 { a + b }\n#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn adds() { assert_eq!(add(2, 3), 5); }\n}\n",
            "fn add(a: i32, b: i32) -> i32 { a - b }\n#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn adds() { assert_eq!(add(2, 3), 5); }\n}\n",
            "fn add(a: i32, b: i32) -> i32 { a + }\nfn main() {}\n"
        },
        {
            SandboxLanguage.Go,
            "package main\n\nimport \"testing\"\n\nfunc Add(a, b int) int { return a + b }\n\nfunc TestAdd(t *testing.T) {\n    if Add(2, 3) != 5 {\n        t.Fatal(\"wrong\")\n    }\n}\n",
            "package main\n\nimport \"testing\"\n\nfunc Add(a, b int) int { return a - b }\n\nfunc TestAdd(t *testing.T) {\n    if Add(2, 3) != 5 {\n        t.Fatal(\"wrong\")\n    }\n}\n",
            "package main\n\nfunc main() { x := }\n"
        },
    };

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task EachLanguage_PassesFailsAndRejectsBrokenCode(SandboxLanguage language, string passing, string failing, string broken)
    {
        if (!fixture.Sandbox.AvailableLanguages.Contains(language))
        {
            // Without the toolchain the sandbox must say what to install, never pretend to judge the program.
            var missing = await fixture.Sandbox.RunAsync(new SandboxProgram(language, passing));
            SandboxAssert.Verdict(SandboxVerdict.SandboxError, missing);
            Assert.Contains("Install", missing.Output);
            return;
        }

        SandboxAssert.Verdict(SandboxVerdict.Passed, await fixture.Sandbox.RunAsync(new SandboxProgram(language, passing)));
        SandboxAssert.Verdict(SandboxVerdict.Failed, await fixture.Sandbox.RunAsync(new SandboxProgram(language, failing)));
        SandboxAssert.Verdict(SandboxVerdict.CompileError, await fixture.Sandbox.RunAsync(new SandboxProgram(language, broken)));
    }

    [Fact]
    public async Task SegmentationFault_IsACrash()
    {
        if (!fixture.Sandbox.AvailableLanguages.Contains(SandboxLanguage.Cpp))
        {
            return;
        }

        var result = await fixture.Sandbox.RunAsync(new SandboxProgram(SandboxLanguage.Cpp, "int main() { volatile int* p = nullptr; *p = 1; return 0; }\n"));

        SandboxAssert.Verdict(SandboxVerdict.Crashed, result);
    }
}
