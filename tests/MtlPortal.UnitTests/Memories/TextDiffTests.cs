using MtlPortal.Memories;

namespace MtlPortal.UnitTests.Memories;

public class TextDiffTests
{
    private static string Before(IEnumerable<DiffSpan> spans) =>
        string.Concat(spans.Where(s => s.Operation != DiffOperation.Insert).Select(s => s.Text));

    private static string After(IEnumerable<DiffSpan> spans) =>
        string.Concat(spans.Where(s => s.Operation != DiffOperation.Delete).Select(s => s.Text));

    /// <summary>The diff written compactly: [-removed-] and {+added+}, as a reviewer would read it.</summary>
    private static string Render(IEnumerable<DiffSpan> spans) => string.Concat(spans.Select(s => s.Operation switch
    {
        DiffOperation.Delete => $"[-{s.Text}-]",
        DiffOperation.Insert => $"{{+{s.Text}+}}",
        _ => s.Text,
    }));

    [Fact]
    public void Compute_SameText_IsOneEqualSpan()
    {
        var spans = TextDiff.Compute("Title:\nVerify first", "Title:\nVerify first");

        Assert.Equal([new DiffSpan(DiffOperation.Equal, "Title:\nVerify first")], spans);
        Assert.False(TextDiff.HasChanges(spans));
    }

    [Fact]
    public void Compute_BothEmpty_IsNoSpansAtAll()
    {
        Assert.Empty(TextDiff.Compute("", ""));
    }

    [Fact]
    public void Compute_FromNothing_IsOneInsertion()
    {
        Assert.Equal([new DiffSpan(DiffOperation.Insert, "New text\nTwo lines")], TextDiff.Compute("", "New text\nTwo lines"));
    }

    [Fact]
    public void Compute_ToNothing_IsOneDeletion()
    {
        Assert.Equal([new DiffSpan(DiffOperation.Delete, "Old text")], TextDiff.Compute("Old text", ""));
    }

    [Fact]
    public void Compute_OneWordChangedInALine_MarksOnlyThatWord()
    {
        var spans = TextDiff.Compute("Content:\nRun the tests before you finish.", "Content:\nRun the checks before you finish.");

        Assert.Equal("Content:\nRun the [-tests-]{+checks+} before you finish.", Render(spans));
    }

    [Fact]
    public void Compute_LineAddedBetweenOthers_IsOneInsertedLine()
    {
        var spans = TextDiff.Compute("Step 1:\nReproduce\n\nStep 2:\nFix", "Step 1:\nReproduce\n\nStep 2:\nLocate the cause\nFix");

        Assert.Equal("Step 1:\nReproduce\n\nStep 2:\n{+Locate the cause\n+}Fix", Render(spans));
    }

    [Fact]
    public void Compute_LineRemoved_IsOneDeletedLine()
    {
        var spans = TextDiff.Compute("a\nb\nc\n", "a\nc\n");

        Assert.Equal("a\n[-b\n-]c\n", Render(spans));
    }

    [Fact]
    public void Compute_PhraseRewritten_ReadsAsOneDeletionThenOneInsertion()
    {
        // Without merging the spaces between changed words this would alternate word by word.
        var spans = TextDiff.Compute("Read the failing test output carefully.", "Check which assertion failed first.");

        Assert.Equal("[-Read the failing test output carefully-]{+Check which assertion failed first+}.", Render(spans));
    }

    [Fact]
    public void Compute_ChangesInSeparateLines_KeepTheUnchangedLinesBetweenThem()
    {
        var before = "Goal:\nFix the parser\n\nStep 1:\nReproduce it\n\nStep 2:\nRun the tests";
        var after = "Goal:\nFix the date parser\n\nStep 1:\nReproduce it\n\nStep 2:\nRun all tests";

        var spans = TextDiff.Compute(before, after);

        Assert.Equal("Goal:\nFix the {+date +}parser\n\nStep 1:\nReproduce it\n\nStep 2:\nRun [-the-]{+all+} tests", Render(spans));
    }

    [Theory]
    [InlineData("", "x")]
    [InlineData("one two three", "one three")]
    [InlineData("a\nb\nc", "c\nb\na")]
    [InlineData("Title:\nVerify\n\nContent:\nRun it.", "Title:\nVerify first\n\nDescription:\nNew\n\nContent:\nRun it twice.")]
    [InlineData("tabs\tand  spaces\r\nwindows lines", "tabs and spaces\nunix lines\n")]
    [InlineData("emoji 🙂 here", "emoji 🙃 here")]
    public void Compute_AnyTwoTexts_GiveBothTextsBack(string before, string after)
    {
        var spans = TextDiff.Compute(before, after);

        Assert.Equal(before, Before(spans));
        Assert.Equal(after, After(spans));
        Assert.DoesNotContain(spans, s => s.Text.Length == 0);
        Assert.All(spans.Zip(spans.Skip(1)), pair => Assert.NotEqual(pair.First.Operation, pair.Second.Operation));
    }

    [Fact]
    public void Compute_EmojiReplaced_NeverSplitsASurrogatePair()
    {
        var spans = TextDiff.Compute("emoji 🙂", "emoji 🙃");

        Assert.Equal("emoji [-🙂-]{+🙃+}", Render(spans));
    }

    [Fact]
    public void Compute_TwoRevisionsPlainText_ShowsTheEditedField()
    {
        var first = new InsightContent("Verify before you finish", "Run the project's checks.", "Run the tests before declaring done.");
        var second = first with { Content = "Run the project's own tests before declaring done." };

        var spans = TextDiff.Compute(first.ToPlainText(), second.ToPlainText());

        Assert.Equal(
            "Title:\nVerify before you finish\n\nDescription:\nRun the project's checks.\n\nContent:\nRun the {+project's own +}tests before declaring done.",
            Render(spans));
    }

    [Fact]
    public void Compute_VeryLargeRewrite_FallsBackToRemovedAndAdded()
    {
        var before = string.Join(' ', Enumerable.Range(0, 3000).Select(i => $"old{i}"));
        var after = string.Join(' ', Enumerable.Range(0, 3000).Select(i => $"new{i}"));

        var spans = TextDiff.Compute(before, after);

        Assert.Equal([new DiffSpan(DiffOperation.Delete, before), new DiffSpan(DiffOperation.Insert, after)], spans);
    }
}
