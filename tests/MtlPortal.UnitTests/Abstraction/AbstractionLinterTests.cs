using MtlPortal.Memories.Abstraction;

namespace MtlPortal.UnitTests.Abstraction;

public class AbstractionLinterTests
{
    private static readonly AbstractionLinter Linter = new();

    // Insights in the spirit of Memory Transfer Learning: procedure that holds in any repository.
    public static TheoryData<string, string, string> AbstractInsights => new()
    {
        { "Verify before and after", "Run the existing tests before and after each change.", "Run the existing tests before and after each change, and read failures closely before editing again." },
        { "Read the whole error output", "The first error line is often not the cause.", "Read error output from the bottom up and find the first frame in the project's own code. Fix the cause you find there rather than the symptom at the top." },
        { "Adapt to the environment", "Check which tools and versions the environment provides before relying on them.", "Before running a command, confirm the tool is installed and note its version. If it is missing, look for an equivalent that is available instead of installing new dependencies." },
        { "Make minimal changes", "Change only what the task requires.", "Keep each edit as small as the task allows, so that a failing test points at one cause. Leave unrelated code, formatting and names as they are." },
        { "Reproduce first", "Reproduce a reported bug before fixing it.", "Write a small test or script that shows the failure, then make it pass. A fix you cannot see fail first may not fix anything." },
        { "Iterate in small steps", "Alternate between a small edit and a quick check.", "After each edit, run the fastest check that could catch a mistake, such as a type check or a single test. Widen to the full suite only once the narrow check passes." },
        { "Explore before editing", "Locate the relevant code before changing anything.", "Search the repository for where the behaviour is implemented and where it is tested. Read the surrounding code and its tests to learn the project's conventions before editing." },
        { "Don't trust a green run blindly", "Check that the tests you ran actually exercise the change.", "A passing run only means something if the changed code was executed. Add or adjust a test that fails without your change and passes with it." },
        { "Tell flaky failures from real ones", "Rerun an intermittent failure before acting on it.", "When a check fails intermittently, rerun it a few times and compare the output. Treat a failure that repeats the same way as real, and look at timing or shared state when it does not." },
        { "Keep a plan and revise it", "Write down the next steps and update them as you learn.", "Start with a short plan, e.g. reproduce, locate, fix and verify. When an observation contradicts the plan, revise it instead of pushing on." },
        { "Prefer the project's own tools", "Use the build and test commands the project documents.", "Look for the commands the project documents, i.e. its scripts or task runner, and use them as they are. They encode setup steps you would otherwise have to rediscover." },
        { "Change approach after repeated failures", "Stop after 2–3 failed attempts at the same fix.", "If the same approach fails 2–3 times, step back and re-read the error output. A different hypothesis usually beats a fourth attempt at the same one." },
        { "Check CI before calling it done", "Look at the CI results on GitHub before you call a task done.", "The continuous integration (CI) pipeline may run checks you did not run locally, such as linters or API compatibility tests. Read its logs when it fails." },
    };

    [Theory]
    [MemberData(nameof(AbstractInsights))]
    public void Lint_AbstractInsight_ScoresOneWithNoFindings(string title, string description, string content)
    {
        var report = Linter.Lint(LintField.ForInsight(title, description, content), ["django", "Home Assistant"]);

        Assert.Empty(report.Findings);
        Assert.Equal(1.0, report.Score);
        Assert.True(report.IsClean);
    }

    [Fact]
    public void Lint_ConcreteMemory_EveryFindingPointsAtItsExcerpt()
    {
        const string Content = """
            On SWE-bench the fix for django/db/models/query.py was to call `qs.filter()` before slicing.
            See https://code.djangoproject.com/ticket/12345 and set "QUERY_LIMIT" to 500.
            getUserById in utils.py returned None; os.path.join fixed the path.
            ```
            python -m pytest tests/test_query.py
            ```
            """;

        var report = Linter.Lint([new LintField("Content", Content)], ["django"]);

        Assert.All(report.Findings, f => Assert.Equal(f.Excerpt, Content.Substring(f.Start, f.Length)));
        Assert.Equal(
            [
                ("known-term", "SWE-bench"), ("file-path", "django/db/models/query.py"), ("inline-code", "`qs.filter()`"),
                ("url", "https://code.djangoproject.com/ticket/12345"), ("quoted-literal", "\"QUERY_LIMIT\""), ("magic-number", "500"),
                ("identifier", "getUserById"), ("file-path", "utils.py"), ("identifier", "os.path.join"),
                ("code-block", "```\npython -m pytest tests/test_query.py\n```"),
            ],
            report.Findings.Select(f => (f.RuleId, f.Excerpt)));
    }

    [Fact]
    public void Lint_PathInsideCodeBlockOrQuotes_IsReportedOnceUnderTheEnclosingRule()
    {
        var report = Linter.Lint(
        [
            new LintField("A", "```\nvim django/db/models/query.py\n```"),
            new LintField("B", "Open \"django/db/models/query.py\" first."),
            new LintField("C", "Run `pytest tests/test_query.py` again."),
        ]);

        Assert.Equal(
            [("A", "code-block"), ("B", "file-path"), ("C", "inline-code")],
            report.Findings.Select(f => (f.Field, f.RuleId)));
    }

    [Fact]
    public void Lint_SeveralFields_FindingsFollowFieldOrderThenPosition()
    {
        var report = Linter.Lint(
        [
            new LintField("Title", "Fix utils.py"),
            new LintField("Description", "Check HttpClient and port 8080 here."),
            new LintField("Content", "Read main.py first."),
        ]);

        Assert.Equal(
            [("Title", "utils.py"), ("Description", "HttpClient"), ("Description", "8080"), ("Content", "main.py")],
            report.Findings.Select(f => (f.Field, f.Excerpt)));
    }

    [Fact]
    public void Lint_InsightOverItsSentenceLimits_FlagsEachFieldWithTheLimit()
    {
        var report = Linter.Lint(LintField.ForInsight(
            "Verify. Then ship.",
            "Run the tests. Then read the failures.",
            "Run the tests. Read the failures. Fix the cause. Run them again."));

        Assert.Equal(["Title", "Description", "Content"], report.Findings.Select(f => f.Field));
        Assert.All(report.Findings, f => Assert.Equal(AbstractionRules.SentenceLimit.Id, f.RuleId));
        Assert.Equal("Has 2 sentences; this field takes at most 1 sentence. Keep only the lesson that transfers.", report.Findings[0].Message);
        Assert.Equal("Has 2 sentences; this field takes exactly 1 sentence. Keep only the lesson that transfers.", report.Findings[1].Message);
        Assert.Equal("Has 4 sentences; this field takes 1–3 sentences. Keep only the lesson that transfers.", report.Findings[2].Message);
        Assert.Equal("Run the tests. Read the failures. Fix the cause. Run them again.", report.Findings[2].Excerpt);
    }

    [Fact]
    public void Lint_DescriptionWithoutASentence_FlagsMissingSentence()
    {
        var report = Linter.Lint(LintField.ForInsight("Verify with tests", " ... ", "Run the tests before and after each change."));

        var finding = Assert.Single(report.Findings);
        Assert.Equal(("Description", "sentence-limit", "..."), (finding.Field, finding.RuleId, finding.Excerpt));
        Assert.Equal("Has 0 sentences; this field takes exactly 1 sentence.", finding.Message);
    }

    [Fact]
    public void Lint_SentenceLimitAndTokenFindings_LimitLeadsItsField()
    {
        var report = Linter.Lint([new LintField("Description", " Edit utils.py. Then run it.", MinSentences: 1, MaxSentences: 1)]);

        Assert.Equal([("sentence-limit", 1), ("file-path", 6)], report.Findings.Select(f => (f.RuleId, f.Start)));
    }

    [Fact]
    public void Lint_Score_IsTheProductOfOneMinusEachFindingsWeight()
    {
        var report = Linter.Lint([new LintField("Content", "Call getUserById on port 8080.")]);

        var expected = (1 - AbstractionRules.Identifier.Weight) * (1 - AbstractionRules.MagicNumber.Weight);
        Assert.Equal(expected, report.Score, 12);
    }

    [Fact]
    public void Lint_MoreOrWorseFindings_ScoreLower()
    {
        double Score(string text) => Linter.Lint([new LintField("Content", text)]).Score;

        var clean = Score("Run the tests before and after each change.");
        var oneIdentifier = Score("Run the tests before and after each change to getUserById.");
        var twoIdentifiers = Score("Run the tests before and after each change to getUserById and HttpClient.");
        var path = Score("Run the tests before and after each change to django/db/models/query.py.");
        var trace = Score("Run the tests:\nTraceback (most recent call last):\n  File \"a.py\", line 1, in <module>\nKeyError: 'x'");

        Assert.True(clean > oneIdentifier, $"{clean} > {oneIdentifier}");
        Assert.True(oneIdentifier > twoIdentifiers, $"{oneIdentifier} > {twoIdentifiers}");
        Assert.True(oneIdentifier > path, $"{oneIdentifier} > {path}");
        Assert.True(path > trace, $"{path} > {trace}");
        Assert.InRange(trace, 0.0, 1.0);
    }

    [Fact]
    public void Lint_ManyFindings_ScoreStaysAboveZero()
    {
        var text = string.Join('\n', Enumerable.Repeat("```\ncode()\n```\n\nTraceback (most recent call last):\n  File \"a.py\", line 1\n", 50));

        var report = Linter.Lint([new LintField("Content", text)]);

        Assert.Equal(100, report.Findings.Count);
        Assert.InRange(report.Score, double.Epsilon, 1e-20);
    }

    [Fact]
    public void Lint_SameInputTwice_GivesTheSameReport()
    {
        var fields = LintField.ForInsight("Use HttpClient", "Call getUserById in utils.py on port 8080.", "See https://example.com and `x`.");

        var first = Linter.Lint(fields, ["example"]);
        var second = new AbstractionLinter().Lint(fields, ["example"]);

        Assert.Equal(first.Score, second.Score);
        Assert.Equal(first.Findings, second.Findings);
    }

    [Fact]
    public void Lint_NoFields_ScoresOne()
    {
        var report = Linter.Lint([]);

        Assert.Equal(1.0, report.Score);
        Assert.Empty(report.Findings);
    }
}
