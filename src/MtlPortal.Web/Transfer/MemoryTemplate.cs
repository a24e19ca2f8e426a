using System.Text;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;

namespace MtlPortal.Web.Transfer;

/// <summary>
/// A memory JSONL file to start from: one valid line per kind, without a team (the import's default team applies),
/// written by the same code as the export. The examples in <c>docs/memory-jsonl.md</c> are these lines.
/// </summary>
public static class MemoryTemplate
{
    public const string FileName = "memory-template.jsonl";

    public static IReadOnlyList<MemoryRecord> Records { get; } =
    [
        new(
            new InsightContent(
                "Reproduce before you fix",
                "Confirm the reported failure with a minimal reproduction before changing any code.",
                "Write the smallest script or test that shows the behaviour. Run it before and after the change, so the fix is proven rather than assumed."),
            new Provenance("swe-bench", "django__django-11099", "gpt-5-mini", SourceOutcome.Success, ["debugging", "testing"]),
            Team: null),
        new(
            new SummaryContent(
                "Add pagination to a command-line listing that printed thousands of rows.",
                "Failed: the change passed the new test but broke an existing snapshot test that was never run. Running the whole suite before submitting would have caught it."),
            new Provenance("swe-bench", null, "claude-sonnet-4", SourceOutcome.Failure, ["testing"]),
            Team: null),
        new(
            new WorkflowContent(
                "Implement a function from a docstring and examples.",
                ["Restate the contract: inputs, outputs and edge cases.", "Turn each example into an assertion.", "Write the simplest implementation that passes.", "Add checks for empty and extreme inputs."]),
            new Provenance("humaneval", "HumanEval/12", "qwen3-coder", SourceOutcome.Success, []),
            Team: null),
        new(
            new TrajectoryContent(
            [
                new TrajectoryStep("uname -r", "5.15.49-linuxkit-pr\n"),
                new TrajectoryStep("uname -r | cut -d'-' -f2", "linuxkit\n"),
                new TrajectoryStep("submit", ""),
            ]),
            new Provenance("intercode-bash", "nl2bash-fs-4#0", "gpt-3.5-turbo", SourceOutcome.Failure, ["bash"]),
            Team: null),
    ];

    /// <summary>The file's text: one line per record, each ending with a line feed.</summary>
    public static string Text { get; } = string.Concat(Records.Select(r => r.ToJsonLine() + "\n"));

    public static byte[] Utf8 { get; } = Encoding.UTF8.GetBytes(Text);
}
