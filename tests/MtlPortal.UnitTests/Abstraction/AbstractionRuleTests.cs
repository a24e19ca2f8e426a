using MtlPortal.Memories.Abstraction;

namespace MtlPortal.UnitTests.Abstraction;

/// <summary>Each rule fires on realistic text and stays quiet on the English it could be mistaken for.</summary>
public class AbstractionRuleTests
{
    private static readonly AbstractionLinter Linter = new();

    [Theory]
    [InlineData("The bug was in django/db/models/query.py, in the filter logic.", "django/db/models/query.py")]
    [InlineData("Edit /etc/nginx/nginx.conf and reload.", "/etc/nginx/nginx.conf")]
    [InlineData(@"Logs were in C:\Users\dev\AppData\Local\Temp.", @"C:\Users\dev\AppData\Local\Temp")]
    [InlineData(@"Fix it in src\Services\OrderService.cs first.", @"src\Services\OrderService.cs")]
    [InlineData("Start by reading utils.py before anything else.", "utils.py")]
    [InlineData("Open Main.java and look at the entry point.", "Main.java")]
    [InlineData("Add the dependency to package.json first.", "package.json")]
    [InlineData("Run ./run_tests.sh before committing.", "./run_tests.sh")]
    [InlineData("Put fixtures under tests/fixtures/ to share them.", "tests/fixtures/")]
    [InlineData("Shared helpers live in src/common/helpers now.", "src/common/helpers")]
    [InlineData("Copy ~/.ssh/config into the container.", "~/.ssh/config")]
    [InlineData("Never commit the .env file.", ".env")]
    [InlineData("Skip generated *.pb.go files.", "*.pb.go")]
    [InlineData("Never edit files under build/ by hand.", "build/")]
    public void Lint_FilePath_FlagsThePath(string text, string excerpt) =>
        AssertOnlyFinding(text, AbstractionRules.FilePath, excerpt);

    [Theory]
    [InlineData("See https://docs.python.org/3/library/os.html for details.", "https://docs.python.org/3/library/os.html")]
    [InlineData("The fix is described at www.example.org/fix.", "www.example.org/fix")]
    [InlineData("Ask on github.com when stuck.", "github.com")]
    [InlineData("(see https://en.wikipedia.org/wiki/Foo_(bar))", "https://en.wikipedia.org/wiki/Foo_(bar)")]
    [InlineData("Mail maintainer@example.org for access.", "maintainer@example.org")]
    [InlineData("Then curl localhost:8000/health returned OK.", "localhost:8000/health")]
    [InlineData("The database listens on 127.0.0.1:5432.", "127.0.0.1:5432")]
    public void Lint_Url_FlagsTheAddressWithoutSentencePunctuation(string text, string excerpt) =>
        AssertOnlyFinding(text, AbstractionRules.Url, excerpt);

    [Theory]
    [InlineData("Call getUserById with the cached key.", "getUserById")]
    [InlineData("Reuse one HttpClient per service.", "HttpClient")]
    [InlineData("Use os.path.join to build paths.", "os.path.join")]
    [InlineData("Convert lists with np.array first.", "np.array")]
    [InlineData("Everything in System.IO is synchronous here.", "System.IO")]
    [InlineData("Set max_retries on the session.", "max_retries")]
    [InlineData("Define __init__ carefully.", "__init__")]
    [InlineData("Catch IOException around reads.", "IOException")]
    [InlineData("Check $HOME is set.", "$HOME")]
    [InlineData("Call flush() before closing.", "flush()")]
    [InlineData("Set PYTHONPATH=. before running.", "PYTHONPATH")]
    [InlineData("Run the suite with --tb=short to shorten output.", "--tb=short")]
    public void Lint_Identifier_FlagsTheIdentifier(string text, string excerpt) =>
        AssertOnlyFinding(text, AbstractionRules.Identifier, excerpt);

    [Theory]
    [InlineData("Run this:\n```python\nimport os\nprint(os.getcwd())\n```\nThen check.", "```python\nimport os\nprint(os.getcwd())\n```")]
    [InlineData("Run this:\n~~~\nmake test\n~~~", "~~~\nmake test\n~~~")]
    [InlineData("Still typing:\n```\nfoo(bar)\n", "```\nfoo(bar)")]
    [InlineData("Windows line endings:\r\n```\r\nfoo(bar)\r\n```\r\nDone.", "```\r\nfoo(bar)\r\n```")]
    [InlineData("Use this pattern:\n\n    for x in items:\n        process(x)\n\nIt helps.", "for x in items:\n        process(x)")]
    [InlineData("I ran:\n$ ls -la\ntotal 8\n-rw-r--r-- 1 root root 4096 notes\n\nThen moved on.", "$ ls -la\ntotal 8\n-rw-r--r-- 1 root root 4096 notes")]
    [InlineData(">>> import json\n>>> json.loads('')\nTraceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>", ">>> import json\n>>> json.loads('')\nTraceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>")]
    public void Lint_CodeBlock_FlagsTheWholeBlock(string text, string excerpt) =>
        AssertOnlyFinding(text, AbstractionRules.CodeBlock, excerpt);

    [Theory]
    [InlineData("Run `pytest -x` to stop early.", "`pytest -x`")]
    [InlineData("Set ``retries`` in the config.", "``retries``")]
    public void Lint_InlineCode_FlagsTheSpanWithBackticks(string text, string excerpt) =>
        AssertOnlyFinding(text, AbstractionRules.InlineCode, excerpt);

    [Fact]
    public void Lint_PythonTraceback_FlagsOneSpanFromHeaderToException()
    {
        const string Trace = """
            Traceback (most recent call last):
              File "/app/manage.py", line 22, in <module>
                main()
              File "/app/core/views.py", line 8, in main
                int(value)
                ^^^^^^^^^^
            ValueError: invalid literal for int() with base 10: 'abc'
            """;

        AssertOnlyFinding($"The run failed with:\n{Trace}\nso I checked the parser.", AbstractionRules.StackTrace, Trace);
    }

    [Fact]
    public void Lint_ChainedPythonTraceback_IsOneStackTrace()
    {
        const string Trace = """
            Traceback (most recent call last):
              File "app.py", line 3, in load
                return json.loads(raw)
            json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)

            During handling of the above exception, another exception occurred:

            Traceback (most recent call last):
              File "app.py", line 9, in <module>
                load("")
            RuntimeError: config unreadable
            """;

        AssertOnlyFinding(Trace, AbstractionRules.StackTrace, Trace);
    }

    [Theory]
    [InlineData("Exception in thread \"main\" java.lang.NullPointerException: name is null\n\tat com.example.App.run(App.java:42)\n\tat com.example.App.main(App.java:10)")]
    [InlineData("java.lang.IllegalStateException: closed\n\tat org.apache.Foo.bar(Foo.java:12)\n\t... 3 more\nCaused by: java.io.IOException: broken pipe\n\tat java.base/sun.nio.ch.IOUtil.write(IOUtil.java:62)")]
    [InlineData("System.InvalidOperationException: Sequence contains no elements\n   at System.Linq.ThrowHelper.ThrowNoElementsException()\n   at Program.Main(String[] args) in C:\\src\\Program.cs:line 12")]
    [InlineData("Error: Cannot find module 'express'\n    at Function.Module._resolveFilename (node:internal/modules/cjs/loader:1039:15)\n    at Module.require (node:internal/modules/cjs/loader:1100:19)")]
    [InlineData("panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/sandbox/prog.go:8 +0x1d")]
    [InlineData("app.rb:3:in `divide': divided by 0 (ZeroDivisionError)\n\tfrom app.rb:7:in `<main>'")]
    [InlineData("at com.acme.billing.Invoice.total(Invoice.java:88)")]
    public void Lint_StackTraceFromEachRuntime_IsOneFinding(string trace) =>
        AssertOnlyFinding($"The build failed:\n{trace}\nso I read the frames.", AbstractionRules.StackTrace, trace);

    [Theory]
    [InlineData("The config expects \"utf-8\" here.", "\"utf-8\"")]
    [InlineData("Compare against 'NoneType' explicitly.", "'NoneType'")]
    [InlineData("Send a \"GET\" request.", "\"GET\"")]
    [InlineData("Pass '--force' only when needed.", "'--force'")]
    [InlineData("Run \"pip install -r reqs\" first.", "\"pip install -r reqs\"")]
    [InlineData("Check that “x == y” holds.", "“x == y”")]
    public void Lint_QuotedLiteral_FlagsTheQuotedSpan(string text, string excerpt) =>
        AssertOnlyFinding(text, AbstractionRules.QuotedLiteral, excerpt);

    [Theory]
    [InlineData("The server listens on 8080.", "8080")]
    [InlineData("It returned 404 for every call.", "404")]
    [InlineData("Set the ratio to 3.14 before training.", "3.14")]
    [InlineData("The flag is 0x1F.", "0x1F")]
    [InlineData("Python 3.11 is required.", "3.11")]
    [InlineData("Upgrade to v1.2.3 first.", "v1.2.3")]
    [InlineData("Use a 500ms timeout.", "500ms")]
    [InlineData("Keep usage under 80%.", "80%")]
    [InlineData("Load 1,000 rows per batch.", "1,000")]
    [InlineData("Wait 30 seconds between retries.", "30 seconds")]
    [InlineData("It helped in about 80 % of tasks.", "80 %")]
    public void Lint_MagicNumber_FlagsTheNumber(string text, string excerpt) =>
        AssertOnlyFinding(text, AbstractionRules.MagicNumber, excerpt);

    [Theory]
    [InlineData("This worked well on SWE-bench Verified tasks.", "SWE-bench Verified")]
    [InlineData("Unlike HumanEval, these tasks need context.", "HumanEval")]
    [InlineData("On swe bench, the repository is large.", "swe bench")]
    [InlineData("The APPS problems are short.", "APPS")]
    [InlineData("Results on the Aider Polyglot set differ.", "Aider Polyglot")]
    public void Lint_BuiltInBenchmark_FlagsTheName(string text, string excerpt) =>
        AssertOnlyFinding(text, AbstractionRules.KnownTerm, excerpt);

    public static TheoryData<string> BenchmarkNames => [.. KnownBenchmarks.Names];

    [Theory]
    [MemberData(nameof(BenchmarkNames))]
    public void Lint_EveryListedBenchmark_IsRecognisedAsWritten(string name) =>
        AssertOnlyFinding($"Results on {name} were mixed.", AbstractionRules.KnownTerm, name);

    [Theory]
    [InlineData("This came from the Home Assistant repository.", "Home Assistant")]
    [InlineData("This came from the home\nassistant repository.", "home\nassistant")]
    [InlineData("Django-based projects need migrations.", "Django")]
    [InlineData("It mirrors what we saw in DJANGO.", "DJANGO")]
    public void Lint_PoolDomainTerm_FlagsWholeWordsInAnyCase(string text, string excerpt)
    {
        var report = Linter.Lint([new LintField("Content", text)], ["django", "Home Assistant"]);

        var finding = Assert.Single(report.Findings);
        Assert.Equal((AbstractionRules.KnownTerm.Id, excerpt), (finding.RuleId, finding.Excerpt));
        Assert.Equal(excerpt, text.Substring(finding.Start, finding.Length));
    }

    [Theory]
    [InlineData("Djangonauts meet yearly.")]
    [InlineData("The assistant at home helps.")]
    public void Lint_PoolDomainTermInsideAnotherWordOrReordered_NotFlagged(string text) =>
        Assert.Empty(Linter.Lint([new LintField("Content", text)], ["django", "Home Assistant"]).Findings);

    [Fact]
    public void Lint_DomainTermsNotPassed_PlainProjectNamesAreNotFlagged() =>
        Assert.Empty(Linter.Lint([new LintField("Content", "This came from a django project.")]).Findings);

    [Theory]
    [InlineData("Use the API and CI/CD pipelines, e.g. unit tests and/or integration tests, i.e. fast feedback.")]
    [InlineData("Retry up to 3 times, and keep insights to 1–3 sentences.")]
    [InlineData("Stop after 2-3 attempts and read the 2nd error, not only the first.")]
    [InlineData("The v2 interface replaced the first one.")]
    [InlineData("Wait 3 seconds, then try again.")]
    [InlineData("JavaScript and TypeScript projects on GitHub often use PostgreSQL and WebSockets.")]
    [InlineData("Some errors only show up on macOS or iOS, not on an iPhone simulator.")]
    [InlineData("Don't trust the tests' output blindly; the 'right' fix is often small.")]
    [InlineData("Avoid \"quick fixes\" that hide the cause, and call it “works on my machine” only after checking.")]
    [InlineData("Read the README first, etc. It saves time.")]
    [InlineData("Take _small_ steps and read TCP/IP or input/output errors closely.")]
    [InlineData("Prefer a single pass over nested loops; check the docs (the project's, not a blog's).")]
    [InlineData("Use 64-bit builds where possible, as most APIs and GPUs expect them.")]
    [InlineData("at least twice (once per platform), rerun the suite.")]
    [InlineData("Error handling matters: read each message before retrying.")]
    [InlineData("Node.js and ASP.NET apps both log to standard output.")]
    [InlineData("Run the apps you changed, not every app in the repository.")]
    [InlineData("Steps:\n\n    reproduce the failure first\n    then fix it\n\nDone.")]
    [InlineData("- reproduce the failure\n- fix it\n- verify with the tests")]
    [InlineData("Clear caches (w/ care) and note what changed w/o guessing.")]
    [InlineData("Re-run the non-zero exit cases; opt-in and built-in tools - like the formatter - differ -- a lot.")]
    [InlineData("Costs rose by $5 after the change.")]
    [InlineData("Tighten the build/test/deploy cycle and compare Windows/Linux/macOS runs.")]
    [InlineData("Check the tool's --help output before guessing at its options.")]
    [InlineData("D3.js and Socket.IO apps log to the console; the “Note:” lines matter.")]
    public void Lint_EnglishThatLooksLikeCode_NotFlagged(string text)
    {
        var report = Linter.Lint([new LintField("Content", text)]);

        Assert.Empty(report.Findings);
        Assert.Equal(1.0, report.Score);
    }

    private static void AssertOnlyFinding(string text, AbstractionRule rule, string excerpt)
    {
        var report = Linter.Lint([new LintField("Content", text)]);

        var finding = Assert.Single(report.Findings);
        Assert.Equal((rule.Id, excerpt), (finding.RuleId, finding.Excerpt));
        Assert.Equal(excerpt, text.Substring(finding.Start, finding.Length));
        Assert.Equal("Content", finding.Field);
        Assert.False(string.IsNullOrWhiteSpace(finding.Message));
    }
}
