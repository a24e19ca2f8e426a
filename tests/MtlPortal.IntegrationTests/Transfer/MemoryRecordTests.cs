using System.Text;
using System.Text.RegularExpressions;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;

namespace MtlPortal.IntegrationTests.Transfer;

/// <summary>The line format on its own: writing, reading, and the errors a line can have. No database.</summary>
public partial class MemoryRecordTests
{
    private static readonly Provenance Source = new("swe-bench", "django__django-11099", "gpt-5-mini", SourceOutcome.Success, ["testing"]);

    private static IReadOnlyList<string> ErrorsOf(string line) =>
        [.. MemoryRecord.Parse(line).Errors.Select(e => $"{e.Field}: {e.Message}")];

    [Fact]
    public void ToJsonLine_AnExportedInsight_WritesTheDocumentedShapeInOrder()
    {
        var record = new MemoryRecord(new InsightContent("Verify <first>", "Run the checks & read them.", "Tests decide; \"done\" is a claim."), Source, "Alpha")
        {
            Id = Guid.Parse("0198c3a0-0000-7000-8000-000000000001"),
            Revision = 2,
            ApprovedAt = new DateTimeOffset(2026, 1, 5, 10, 30, 0, TimeSpan.FromHours(1)),
            AbstractionScore = 0.875,
        };

        var line = record.ToJsonLine();

        Assert.Equal(
            """{"kind":"insight","title":"Verify <first>","description":"Run the checks & read them.","content":"Tests decide; \"done\" is a claim.","sourceDomain":"swe-bench","sourceTaskRef":"django__django-11099","sourceModel":"gpt-5-mini","outcome":"success","tags":["testing"],"team":"Alpha","id":"0198c3a0-0000-7000-8000-000000000001","revision":2,"approvedAt":"2026-01-05T09:30:00.0000000Z","abstractionScore":0.875}""",
            line);
    }

    public static TheoryData<MemoryContent> EveryKind => new()
    {
        new InsightContent("Reproduce first", "Confirm the failure before fixing it.", "Write the smallest reproduction. Run it before and after."),
        new SummaryContent("Fix a parser.\nIt rejected offsets.", "Succeeded after a failing test was written first."),
        new WorkflowContent("Fix a bug", ["Reproduce it.", "Write a failing test.", "Make it pass."]),
        new TrajectoryContent([new TrajectoryStep("ls -la", "total 0\n"), new TrajectoryStep("submit", null!), new TrajectoryStep("echo ü → ✓", "ü → ✓")]),
    };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Parse_WhatToJsonLineWrote_GivesTheSameRecord(MemoryContent content)
    {
        var written = new MemoryRecord(content, Source, null) { Id = Guid.CreateVersion7(), Revision = 1, ApprovedAt = DateTimeOffset.UnixEpoch, AbstractionScore = 1.0 / 3 };

        var (read, errors) = MemoryRecord.Parse(written.ToJsonLine());

        Assert.Empty(errors);
        Assert.Equal(written, read);
        Assert.DoesNotContain('\n', written.ToJsonLine());
    }

    [Fact]
    public void Parse_OnlyTheRequiredFields_DefaultsOutcomeTagsAndTeam()
    {
        var (record, errors) = MemoryRecord.Parse("""{"kind":"workflow","goal":"Ship","steps":["Test"],"sourceDomain":"mbpp","sourceModel":"human"}""");

        Assert.Empty(errors);
        Assert.Equal(new Provenance("mbpp", null, "human", SourceOutcome.Unknown, []), record!.Provenance);
        Assert.Null(record.Team);
        Assert.Null(record.Id);
    }

    [Theory]
    [InlineData("""{"kind":"insight","title":"T","description":"D",""", "Not valid JSON (at byte ")]
    [InlineData("""[{"kind":"insight"}]""", "A line must hold one JSON object ({...}), not an array.")]
    [InlineData("""{"kind":"insight"} trailing""", "Not valid JSON")]
    public void Parse_NotOneJsonObject_IsALineError(string line, string expected)
    {
        var errors = ErrorsOf(line);

        Assert.StartsWith(": " + expected, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WrongTypesEverywhere_NamesEachField()
    {
        var errors = ErrorsOf("""{"kind":"workflow","goal":7,"steps":["a",false],"sourceDomain":"d","sourceModel":"m","outcome":"won","tags":"x","revision":"2","id":"not-a-uuid"}""");

        Assert.Equal(
        [
            "goal: 'goal' must be a string, not a number.",
            "steps[1]: 'steps[1]' must be a string, not true/false.",
            "outcome: Unknown outcome \"won\"; the outcomes are success, failure and unknown.",
            "tags: 'tags' must be an array, not a string.",
            "id: 'id' must be a UUID.",
            "revision: 'revision' must be a whole number.",
        ], errors);
    }

    [Fact]
    public void Parse_AFieldOfAnotherKind_SaysWhichKindHasIt()
    {
        var errors = ErrorsOf("""{"kind":"insight","title":"T","description":"D","content":"C","goal":"G","sourceDomain":"d","sourceModel":"m"}""");

        Assert.Equal(["goal: Unknown property 'goal': an insight has title, description, content ('goal' belongs to a workflow)."], errors);
    }

    [Theory]
    [InlineData("""{"Kind":"insight","title":"T","description":"D","content":"C","sourceDomain":"d","sourceModel":"m"}""", "kind", "Kind")]
    [InlineData("""{"kind":"Insight","title":"T","description":"D","content":"C","sourceDomain":"d","sourceModel":"m"}""", "kind", null)]
    public void Parse_KindSpelledDifferently_IsAnError(string line, string field, string? unknown)
    {
        var errors = MemoryRecord.Parse(line).Errors;

        Assert.Contains(errors, e => e.Field == field);
        Assert.Equal(unknown is not null, errors.Any(e => e.Field == unknown && e.Message.StartsWith($"Unknown property '{unknown}'", StringComparison.Ordinal)));
    }

    [Fact]
    public void Parse_DuplicatePropertyAndUnknownStepProperty_AreNamed()
    {
        var errors = ErrorsOf("""{"kind":"trajectory","steps":[{"action":"ls","observation":"a","thought":"hmm"}],"sourceDomain":"d","sourceDomain":"e","sourceModel":"m"}""");

        Assert.Equal(
        [
            "sourceDomain: 'sourceDomain' appears twice.",
            "steps[0].thought: Unknown property 'thought' in a trajectory step; a step has action and observation.",
        ], errors);
    }

    [Fact]
    public void Parse_MissingContent_LeavesRequiredFieldsToTheWorkflowChecks()
    {
        var (record, errors) = MemoryRecord.Parse("""{"kind":"summary","sourceDomain":"d","sourceModel":"m"}""");

        Assert.Empty(errors);
        Assert.Equal(["taskSummary", "outcomeAnalysis"], record!.Content.Validate().Select(e => e.Field));
    }

    [Fact]
    public async Task ReadLinesAsync_BomCrLfAndBlankLines_KeepsFileLineNumbers()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("{\"a\":1}\r\n\r\n   \n{\"b\":2}\n{\"c\":3}")).ToArray();

        var (lines, errors) = await MemoryImporter.ReadLinesAsync(new MemoryStream(bytes));

        Assert.Empty(errors);
        Assert.Equal([(1, "{\"a\":1}"), (4, "{\"b\":2}"), (5, "{\"c\":3}")], lines);
    }

    [Fact]
    public async Task ReadLinesAsync_InvalidUtf8AndAnOversizedLine_NameTheirLines()
    {
        var big = new string('x', MemoryRecord.MaxLineBytes + 1);
        var bytes = Encoding.UTF8.GetBytes("{}\n").Concat(new byte[] { 0x7B, 0xC3, 0x28, 0x7D, 0x0A }).Concat(Encoding.UTF8.GetBytes(big + "\n{}")).ToArray();

        var (lines, errors) = await MemoryImporter.ReadLinesAsync(new MemoryStream(bytes));

        Assert.Equal([1, 4], lines.Select(l => l.Number));
        Assert.Equal(
        [
            "line 2: The line is not valid UTF-8 (at byte 2).",
            $"line 3: The line is {MemoryRecord.MaxLineBytes + 1:N0} bytes long; a line has at most {MemoryRecord.MaxLineBytes:N0} bytes (1 MiB).",
        ], errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task ReadLinesAsync_AFileOverTheLimit_StopsReadingAndSaysSo()
    {
        var stream = new EndlessStream();

        var (lines, errors) = await MemoryImporter.ReadLinesAsync(stream);

        Assert.Empty(lines);
        Assert.Equal("The file is larger than 50 MB; split it into smaller files.", Assert.Single(errors).ToString());
        Assert.InRange(stream.Position, MemoryImporter.MaxFileBytes, MemoryImporter.MaxFileBytes + 100_000);
    }

    [Fact]
    public void Documentation_EveryExampleLine_ParsesAndIsValid()
    {
        var doc = File.ReadAllText(Path.Combine(MemorySamples.RepositoryRoot(), "docs", "memory-jsonl.md"));
        var examples = JsonlBlock().Matches(doc).SelectMany(m => m.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();

        Assert.True(examples.Count >= 5, "an example line per kind, and an exported one");
        foreach (var line in examples)
        {
            var (record, errors) = MemoryRecord.Parse(line);
            Assert.True(errors.Count == 0, $"{line}\n{string.Join("\n", errors)}");
            Assert.Empty(record!.Content.Validate().Concat(record.Provenance.Validate()));
        }

        Assert.Equal(["insight", "summary", "trajectory", "workflow"], examples.Select(l => MemoryRecord.Parse(l).Record!.Content.Kind.ToString().ToLowerInvariant()).Distinct().Order());
    }

    [GeneratedRegex("```jsonl\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonlBlock();

    /// <summary>A stream of '{' bytes that never ends, to test the file-size limit without allocating the file.</summary>
    private sealed class EndlessStream : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)'{');
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
