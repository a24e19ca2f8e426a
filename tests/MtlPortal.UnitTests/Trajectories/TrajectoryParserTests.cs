using MtlPortal.Testing;
using MtlPortal.Trajectories;

namespace MtlPortal.UnitTests.Trajectories;

/// <summary>Every public sample in shared/data/trajectories reads into the normalised form with its steps and verdict.</summary>
public class TrajectoryParserTests
{
    private static (IReadOnlyList<ParsedTrajectory> Records, IReadOnlyList<TrajectoryError> Errors) ParseSample(TrajectoryFormat format, string folder, string file) =>
        TrajectoryParser.Parse(format, File.ReadAllText(SharedData.PathOf("trajectories", folder, file)), file);

    [Theory]
    [InlineData("ctf_crypto_BabyEncryption.traj", 16)]
    [InlineData("ctf_rev_rock.traj", 12)]
    [InlineData("humanevalfix-python-0.traj", 5)]
    [InlineData("marshmallow-code__marshmallow-1867.function_calling_replace.traj", 11)]
    public void SweAgentSample_ReadsEveryStepWithTheIssueAsTaskAndNoVerdict(string file, int steps)
    {
        var (records, errors) = ParseSample(TrajectoryFormat.SweAgent, "swe-agent", file);

        Assert.Empty(errors);
        var trajectory = Assert.Single(records);
        Assert.Equal(steps, trajectory.Steps.Count);
        Assert.All(trajectory.Steps, s => Assert.False(string.IsNullOrWhiteSpace(s.Action)));
        Assert.StartsWith("We're currently solving", trajectory.TaskText, StringComparison.Ordinal);
        // A demonstration says "submitted", not whether the submission was right: the judge decides later.
        Assert.Equal(TrajectoryVerdict.Unknown, trajectory.Verdict);
        Assert.Equal(VerdictOrigin.Unknown, trajectory.VerdictOrigin);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), trajectory.TaskRef);
    }

    [Fact]
    public void SweAgentFunctionCallingSample_TakesTheModelFromItsReplayConfiguration()
    {
        var (records, _) = ParseSample(TrajectoryFormat.SweAgent, "swe-agent", "marshmallow-code__marshmallow-1867.function_calling_replace.traj");

        Assert.False(string.IsNullOrWhiteSpace(records[0].Model));
        Assert.Contains("diff --git a/src/marshmallow/fields.py", records[0].FinalAnswer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tests__golden__openhands__hello-world.trajectory.json", 3, null, "File created successfully")]
    [InlineData("tests__golden__terminus_2__hello-world-timeout.trajectory.json", 3, "openai/gpt-4o", "Hello, world!")]
    public void AtifSample_ReadsTheAgentsStepsWithToolCallsAndObservations(string file, int steps, string? model, string observed)
    {
        var (records, errors) = ParseSample(TrajectoryFormat.Atif, "harbor-atif", file);

        Assert.Empty(errors);
        var trajectory = Assert.Single(records);
        Assert.Equal(steps, trajectory.Steps.Count);
        Assert.Equal(model, trajectory.Model);
        Assert.Equal(TrajectoryVerdict.Unknown, trajectory.Verdict);
        Assert.Contains(trajectory.Steps, s => s.Observation is not null && s.Observation.Contains(observed, StringComparison.Ordinal));
    }

    [Fact]
    public void MiniSweAgentSample_SplitsEachReplyIntoThoughtAndCommand()
    {
        var (records, errors) = ParseSample(TrajectoryFormat.MiniSweAgent, "harbor-atif", "docs__rfcs__0001-trajectory-format__mini-swe-agent-trajectory.json");

        Assert.Empty(errors);
        var trajectory = Assert.Single(records);
        Assert.Equal(3, trajectory.Steps.Count);
        Assert.Equal("echo \"Hello, world!\" > hello.txt", trajectory.Steps[0].Action);
        Assert.StartsWith("THOUGHT:", trajectory.Steps[0].Thought, StringComparison.Ordinal);
        Assert.Equal("cat hello.txt", trajectory.Steps[1].Action);
        Assert.Contains("Hello, world!", trajectory.Steps[1].Observation, StringComparison.Ordinal);
        Assert.Equal("anthropic/claude-3-5-sonnet-20241022", trajectory.Model);
        Assert.Contains("Create a file called hello.txt", trajectory.TaskText, StringComparison.Ordinal);
        Assert.Equal(TrajectoryVerdict.Unknown, trajectory.Verdict);
    }

    [Fact]
    public void OpenHandsSample_PairsTheCommandWithTheObservationItCaused()
    {
        var (records, errors) = ParseSample(TrajectoryFormat.OpenHands, "harbor-atif", "docs__rfcs__0001-trajectory-format__openhands_trajectory.json");

        Assert.Empty(errors);
        var trajectory = Assert.Single(records);
        var step = Assert.Single(trajectory.Steps);
        Assert.StartsWith("run: printf", step.Action, StringComparison.Ordinal);
        Assert.Contains("Content: Hello, world!", step.Observation, StringComparison.Ordinal);
        Assert.Equal("gpt-5-2025-08-07", trajectory.Model);
        Assert.StartsWith("Create a file called hello.txt", trajectory.TaskText, StringComparison.Ordinal);
        Assert.Contains("Created /app/hello.txt", trajectory.FinalAnswer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ic_bash_multiturn_gpt-4_10_turns_fs_4.json", 131, 16)]
    [InlineData("ic_bash_react_gpt-3.5_10_turns_fs_4.json", 116, 7)]
    public void InterCodeSample_ReadsEveryEpisodeWithMaxRewardOneAsGroundTruthPass(string file, int steps, int passed)
    {
        var (records, errors) = ParseSample(TrajectoryFormat.InterCode, "intercode", file);

        Assert.Empty(errors);
        Assert.Equal(27, records.Count);
        Assert.Equal(steps, records.Sum(r => r.Steps.Count));
        Assert.Equal(passed, records.Count(r => r.Verdict == TrajectoryVerdict.Passed));
        Assert.Equal(27 - passed, records.Count(r => r.Verdict == TrajectoryVerdict.Failed));
        Assert.All(records, r => Assert.Equal(VerdictOrigin.GroundTruth, r.VerdictOrigin));
        var episode3 = records.Single(r => r.Record == "episode 3");
        Assert.Equal(2, episode3.Steps.Count);
        Assert.Equal("max reward 1", episode3.VerdictNote);
        Assert.Equal("nl2bash_fs_4#3", episode3.TaskRef);
    }

    [Fact]
    public void Jsonl_ValidRecords_ReadWithTheirOwnDomainAndGroundTruthVerdict()
    {
        const string text = """
            {"task":"Fix the parser","domain":"swe-bench","model":"gpt-5-mini","taskRef":"a#1","verdict":"passed","steps":[{"thought":"look","action":"ls","observation":"a.py"},{"action":"pytest","observation":"1 passed"}],"finalAnswer":"diff"}

            {"task":"Count lines","steps":[{"action":"wc -l f"}]}
            """;

        var (records, errors) = TrajectoryParser.Parse(TrajectoryFormat.Jsonl, text, "t.jsonl");

        Assert.Empty(errors);
        Assert.Equal(2, records.Count);
        Assert.Equal(2, records[0].Steps.Count);
        Assert.Equal((TrajectoryVerdict.Passed, VerdictOrigin.GroundTruth), (records[0].Verdict, records[0].VerdictOrigin));
        Assert.Equal("swe-bench", records[0].Domain);
        Assert.Equal("line 3", records[1].Record);
        Assert.Equal((TrajectoryVerdict.Unknown, VerdictOrigin.Unknown), (records[1].Verdict, records[1].VerdictOrigin));
    }

    [Fact]
    public void Jsonl_AnyInvalidRecord_ReadsNothingAndNamesEveryBadLine()
    {
        const string text = """
            {"task":"Good","steps":[{"action":"ls"}]}
            not json
            {"task":"No steps","steps":[]}
            {"task":"Bad verdict","verdict":"maybe","steps":[{"action":"ls"}]}
            {"task":"Extra","steps":[{"action":"ls"}],"reward":1}
            {"task":"Empty action","steps":[{"action":" "}]}
            """;

        var (records, errors) = TrajectoryParser.Parse(TrajectoryFormat.Jsonl, text, "t.jsonl");

        Assert.Empty(records);
        Assert.Equal(["line 2", "line 3", "line 4", "line 5", "line 6"], errors.Select(e => e.Record).Distinct().Order().ToArray());
        Assert.Contains(errors, e => e.Record == "line 4" && e.Field == "verdict");
        Assert.Contains(errors, e => e.Record == "line 5" && e.Field == "reward");
        Assert.Contains(errors, e => e.Record == "line 6" && e.Field == "steps[0].action");
    }

    [Fact]
    public void WrongFormatForTheFile_IsRefusedWithTheReason()
    {
        var (records, errors) = ParseSample(TrajectoryFormat.Atif, "swe-agent", "humanevalfix-python-0.traj");

        Assert.Empty(records);
        Assert.Contains("not an ATIF trajectory", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LongObservation_IsCutWithANote()
    {
        var line = $$"""{"task":"t","steps":[{"action":"cat big","observation":"{{new string('x', TrajectoryParser.MaxObservation + 500)}}"}]}""";

        var (records, _) = TrajectoryParser.Parse(TrajectoryFormat.Jsonl, line, "t.jsonl");

        Assert.EndsWith("[… 500 more characters cut]", records[0].Steps[0].Observation, StringComparison.Ordinal);
    }
}
