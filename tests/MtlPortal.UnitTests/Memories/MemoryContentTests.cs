using MtlPortal.Memories;

namespace MtlPortal.UnitTests.Memories;

public class MemoryContentTests
{
    [Fact]
    public void ToJsonFromJson_EachKind_RoundTripsWithItsKind()
    {
        MemoryContent[] contents =
        [
            new InsightContent("Verify before submitting", "Run the checks that exist before declaring a task done.", "Find how the project tests itself and run it. Fix what fails, then run it again."),
            new SummaryContent("Fix a failing date parser.", "Succeeded because the failing case was reproduced first."),
            new WorkflowContent("Reproduce then fix a bug", ["Reproduce the failure", "Locate the cause", "Fix and rerun the tests"]),
            new TrajectoryContent([new TrajectoryStep("ls", "README.md src tests"), new TrajectoryStep("run tests", "3 failed")]),
        ];

        foreach (var content in contents)
        {
            var json = content.ToJson();
            var back = MemoryContent.FromJson(json);

            Assert.Equal(content, back);
            Assert.Equal(content.Kind, back.Kind);
            Assert.Contains($"\"kind\":\"{content.Kind.ToString().ToLowerInvariant()}\"", json);
        }
    }

    [Fact]
    public void Validate_EmptyInsight_NamesEveryRequiredField()
    {
        var errors = new InsightContent("", " ", "").Validate().ToList();

        Assert.Equal(["title", "description", "content"], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.EndsWith("is required.", e.Message));
    }

    [Fact]
    public void Validate_TooLongInsightTitle_SaysTheLimitAndTheLength()
    {
        var error = Assert.Single(new InsightContent(new string('t', 121), "One sentence.", "One sentence.").Validate());

        Assert.Equal("title", error.Field);
        Assert.Equal("The title has at most 120 characters (121 now).", error.Message);
    }

    [Fact]
    public void Validate_WorkflowWithABlankStep_PointsAtThatStep()
    {
        var error = Assert.Single(new WorkflowContent("Ship safely", ["Run tests", " "]).Validate());

        Assert.Equal("steps[1]", error.Field);
    }

    [Fact]
    public void Validate_TrajectoryWithoutSteps_IsRefused() =>
        Assert.Equal("steps", Assert.Single(new TrajectoryContent([]).Validate()).Field);

    [Fact]
    public void Fields_Insight_CarryTheSentenceLimitsTheLinterChecks()
    {
        var fields = new InsightContent("T", "D.", "C.").Fields();

        Assert.Equal((1, 1), (fields[1].MinSentences, fields[1].MaxSentences));
        Assert.Equal((1, 3), (fields[2].MinSentences, fields[2].MaxSentences));
    }

    [Fact]
    public void ProvenanceNormalized_TrimsAndSortsTags()
    {
        var provenance = new Provenance(" swe-bench ", " ", "gpt-5", SourceOutcome.Success, ["Testing", "debugging", "testing "]).Normalized();

        Assert.Equal("swe-bench", provenance.SourceDomain);
        Assert.Null(provenance.SourceTaskRef);
        Assert.Equal(["debugging", "testing"], provenance.Tags);
        Assert.Empty(provenance.Validate());
    }

    [Fact]
    public void ProvenanceValidate_MissingDomainAndModel_ExplainsBoth()
    {
        var errors = new Provenance("", null, "", SourceOutcome.Unknown, []).Validate().ToList();

        Assert.Equal(["sourceDomain", "sourceModel"], errors.Select(e => e.Field));
    }
}
