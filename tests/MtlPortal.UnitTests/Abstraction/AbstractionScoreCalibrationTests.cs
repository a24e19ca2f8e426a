using MtlPortal.Memories.Abstraction;
using MtlPortal.Settings;

namespace MtlPortal.UnitTests.Abstraction;

/// <summary>
/// The abstraction score against the labelled set: the default minimum for insights separates clean insights
/// from ones that leak their source, which is what reviewers and contributors read the score for.
/// </summary>
public class AbstractionScoreCalibrationTests
{
    private static readonly AbstractionLinter Linter = new();
    private static readonly double Minimum = ReviewSettings.Defaults.MinInsightAbstraction;

    [Theory]
    [MemberData(nameof(LabelledInsights.Clean), MemberType = typeof(LabelledInsights))]
    public void CleanInsight_HasNoFindings_AndReachesTheDefaultMinimum(string title, string description, string content)
    {
        var report = Linter.Lint(LintField.ForInsight(title, description, content), LabelledInsights.KnownDomains);

        Assert.Empty(report.Findings.Select(f => $"{f.RuleId}: {f.Excerpt}"));
        Assert.True(report.HasText);
        Assert.True(report.Score >= Minimum, $"{report.Score:0.00} < {Minimum:0.00}");
    }

    [Theory]
    [MemberData(nameof(LabelledInsights.Leaking), MemberType = typeof(LabelledInsights))]
    public void LeakingInsight_IsFlagged_AndLandsUnderTheDefaultMinimum(string title, string description, string content)
    {
        var report = Linter.Lint(LintField.ForInsight(title, description, content), LabelledInsights.KnownDomains);

        Assert.Contains(report.Findings, f => f.RuleId != AbstractionRules.SentenceLimit.Id);
        Assert.True(report.Score < Minimum, $"{report.Score:0.00} >= {Minimum:0.00} with {string.Join(", ", report.Findings.Select(f => $"{f.RuleId}: {f.Excerpt}"))}");
    }

    [Fact]
    public void EveryKindOfLeak_IsInTheLabelledSet()
    {
        var rules = LabelledInsights.Leaking
            .SelectMany(row => Linter.Lint(LintField.ForInsight((string)row[0], (string)row[1], (string)row[2]), LabelledInsights.KnownDomains).Findings)
            .Select(f => f.RuleId)
            .ToHashSet();

        Assert.Equal(
            AbstractionRules.All.Where(r => r != AbstractionRules.SentenceLimit).Select(r => r.Id).Order(),
            rules.Where(id => id != AbstractionRules.SentenceLimit.Id).Order());
    }

    [Fact]
    public void EmptyInsight_HasNothingToScore()
    {
        var report = Linter.Lint(LintField.ForInsight("", " ", "\n"));

        Assert.False(report.HasText);
        Assert.Empty(report.Findings);
    }

    [Fact]
    public void InsightNamingAPathAndTwoIdentifiers_ScoresUnderTheDefaultMinimum()
    {
        var report = Linter.Lint(LintField.ForInsight(
            "Fetch results before returning",
            "Make sure the query has run before its rows are used.",
            "In src/orm/query.py, call fetch_all before returning rows from get_rows."));

        Assert.Equal(["file-path", "identifier", "identifier"], report.Findings.Select(f => f.RuleId));
        Assert.True(report.Score < Minimum, $"{report.Score:0.00}");
    }

    [Fact]
    public void PartlyWrittenInsight_IsScoredOnWhatIsThere_WithoutSentenceFindingsForEmptyFields()
    {
        var report = Linter.Lint(LintField.ForInsight("Reproduce before you fix", "", ""));

        Assert.True(report.HasText);
        Assert.Empty(report.Findings);
        Assert.Equal(1.0, report.Score);
    }
}
