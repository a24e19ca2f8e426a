using System.Text;
using System.Text.Json;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;

namespace MtlPortal.IntegrationTests.Transfer;

/// <summary>
/// Realistic memories of the four kinds, for import files: hand-written insights, summaries, workflows and
/// trajectories, plus trajectories built from the public InterCode Bash episodes in ../shared/data (read in
/// place, never copied into the repository).
/// </summary>
public static class MemorySamples
{
    private static readonly (string Title, string Description, string Content)[] Insights =
    [
        ("Reproduce before you fix", "Confirm the reported failure with a minimal reproduction before changing any code.",
            "Write the smallest script or test that shows the behaviour. Run it before and after the change, so the fix is proven rather than assumed."),
        ("Let the project's own checks decide", "Run the checks the project already has before declaring a task done.",
            "Find how the project tests itself and run exactly that. A change that passes your own ad-hoc check can still break the suite."),
        ("Inspect the environment first", "Check which tools, versions and files exist before relying on them.",
            "List the working directory and ask each tool for its version. Adapt the plan to what is there rather than to what is usual."),
        ("Read errors from the bottom up", "The last lines of an error usually name the cause; the first lines name where it surfaced.",
            "Start from the innermost cause and work outwards. Fix that cause before touching the code that merely reported it."),
        ("Change one thing at a time", "Make a single change per attempt so the result can be attributed.",
            "When several edits land together and the outcome changes, you cannot tell which edit mattered. Small steps make failures cheap to undo."),
        ("Match the expected output exactly", "Compare produced output with the expected format character by character.",
            "Whitespace, trailing newlines and ordering are part of the answer. Print the actual output and diff it against the expectation."),
        ("Search before you write", "Look for an existing helper before adding a new one.",
            "Projects usually solve a problem once. Reusing the existing solution keeps behaviour consistent and the change small."),
        ("Stop when the evidence says so", "Stop iterating once the checks pass and the change is explained.",
            "Extra edits after success add risk without adding value. Submit when the tests pass and you can say why the fix works."),
        ("Keep edits reversible", "Prefer changes that are easy to inspect and undo.",
            "Work in small, reviewable steps and keep a copy of anything you overwrite. A reversible mistake costs minutes; an irreversible one costs the task."),
        ("Treat timeouts as information", "A command that hangs says something about its inputs or the environment.",
            "Give long commands a time limit and inspect what they were waiting for. Retrying the same command unchanged rarely helps."),
    ];

    private static readonly (string Task, string Analysis)[] Summaries =
    [
        ("Fix a date parser that rejected timestamps with a time-zone offset.",
            "Succeeded: a failing test was written first, the parser's pattern was widened, and the full suite passed. Writing the test first showed that two callers relied on the old behaviour."),
        ("Add pagination to a command-line listing that printed thousands of rows.",
            "Failed: the change passed the new test but broke an existing snapshot test that was never run. Running the whole suite before submitting would have caught it."),
        ("Make a flaky integration test deterministic.",
            "Succeeded: the test depended on wall-clock time; injecting a clock removed the flakiness. Running the test fifty times in a loop confirmed the fix."),
        ("Compute the median of a list without sorting it in place.",
            "Succeeded after one retry: the first attempt mutated its input, which a hidden test checked. Reading the task statement again revealed the requirement."),
        ("Rename a configuration key while keeping old files working.",
            "Succeeded: the loader accepts both names and warns about the old one. A test per name kept the compatibility explicit."),
    ];

    private static readonly (string Goal, string[] Steps)[] Workflows =
    [
        ("Fix a reported bug in an unfamiliar codebase.",
            ["Reproduce the bug with the smallest possible input.", "Locate the code path with a search for the error message.",
             "Write a failing test that captures the report.", "Make the smallest change that passes the test.", "Run the full test suite before submitting."]),
        ("Answer a question about a file system with a shell command.",
            ["List the directory to learn its layout.", "Try the command on a small sample first.",
             "Check the output format against the question.", "Run the final command once on the whole input."]),
        ("Implement a function from a docstring and examples.",
            ["Restate the contract: inputs, outputs and edge cases.", "Turn each example into an assertion.",
             "Write the simplest implementation that passes.", "Add checks for empty and extreme inputs."]),
        ("Upgrade a dependency without breaking callers.",
            ["Read the dependency's changelog for breaking changes.", "Search the codebase for every affected call.",
             "Upgrade and run the tests.", "Fix failures one at a time, re-running the tests after each."]),
    ];

    private static readonly TrajectoryStep[][] Trajectories =
    [
        [
            new("ls", "README.md  setup.py  src  tests"),
            new("python -m pytest -x -q", "1 failed, 41 passed: test_parse_offset expected 2024-01-01T10:00:00+02:00"),
            new("grep -rn \"def parse\" src", "src/dates.py:12:def parse(text):"),
            new("python -m pytest -x -q", "42 passed"),
        ],
        [
            new("cat task.txt", "Count the lines of every .log file under the current directory."),
            new("find . -name '*.log' | head", "./a/app.log\n./b/worker.log"),
            new("find . -name '*.log' -exec wc -l {} +", "  12 ./a/app.log\n  30 ./b/worker.log\n  42 total"),
        ],
    ];

    private static readonly string[] Domains = ["swe-bench", "mbpp", "humaneval", "intercode-bash", "spider"];
    private static readonly string[] Models = ["gpt-5-mini", "claude-sonnet-4", "qwen3-coder", "human"];

    /// <summary><paramref name="count"/> records cycling through the four kinds (every fifth a trajectory), with varied provenance.</summary>
    public static IReadOnlyList<MemoryRecord> Records(int count, string? team = null)
    {
        var intercode = InterCodeTrajectories();
        var records = new List<MemoryRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var provenance = new Provenance(Domains[i % Domains.Length], $"task-{i + 1}", Models[i % Models.Length], (SourceOutcome)(i % 3), ["imported", $"batch-{i % 7}"]);
            records.Add((i % 5) switch
            {
                0 or 1 => Record(Insight(i), provenance, team),
                2 => Record(Summary(i), provenance, team),
                3 => Record(Workflow(i), provenance, team),
                _ when i % 2 == 0 => intercode[i % intercode.Count] with { Team = team },
                _ => Record(new TrajectoryContent(Trajectories[i % Trajectories.Length]), provenance, team),
            });
        }

        return records;
    }

    public static InsightContent Insight(int i)
    {
        var (title, description, content) = Insights[i % Insights.Length];
        return new InsightContent(title, description, content);
    }

    public static SummaryContent Summary(int i) => new(Summaries[i % Summaries.Length].Task, Summaries[i % Summaries.Length].Analysis);

    public static WorkflowContent Workflow(int i) => new(Workflows[i % Workflows.Length].Goal, Workflows[i % Workflows.Length].Steps);

    /// <summary>The InterCode Bash episodes (gpt-4 and gpt-3.5) as trajectory records: actions and observations, no thoughts.</summary>
    public static IReadOnlyList<MemoryRecord> InterCodeTrajectories()
    {
        var folder = Path.Combine(SharedData.Directory, "trajectories", "intercode");
        if (!Directory.Exists(folder))
        {
            throw new InvalidOperationException($"The public InterCode episodes are expected in {Path.GetFullPath(folder)} (see ../shared/data/README.md).");
        }

        var records = new List<MemoryRecord>();
        foreach (var file in Directory.GetFiles(folder, "ic_bash_*.json").Order(StringComparer.Ordinal))
        {
            var model = Path.GetFileName(file).Contains("gpt-4", StringComparison.Ordinal) ? "gpt-4" : "gpt-3.5-turbo";
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var episode in document.RootElement.EnumerateObject().Select(e => e.Value))
            {
                var history = episode.GetProperty("turn_history");
                var actions = history.GetProperty("actions").EnumerateArray().Select(a => a.GetString()!).ToList();
                var observations = history.GetProperty("observations").EnumerateArray().Select(o => o.GetString() ?? "").ToList();
                var steps = actions.Zip(observations, (a, o) => new TrajectoryStep(a, o.Length <= MemoryContent.LongTextMax ? o : o[..MemoryContent.LongTextMax])).ToList();
                var solved = episode.GetProperty("summary").GetProperty("max_reward").GetDouble() >= 1;
                records.Add(Record(
                    new TrajectoryContent(steps),
                    new Provenance("intercode-bash", $"nl2bash-fs-4#{episode.GetProperty("task_id").GetInt32()}", model,
                        solved ? SourceOutcome.Success : SourceOutcome.Failure, ["bash", "intercode"]),
                    null));
            }
        }

        return records;
    }

    public static MemoryRecord Record(MemoryContent content, Provenance provenance, string? team) => new(content, provenance, team);

    /// <summary>Writes the records as a JSONL file, one per line, and returns its path.</summary>
    public static string WriteFile(string folder, IEnumerable<MemoryRecord> records, string name = "memories.jsonl") =>
        WriteLines(folder, records.Select(r => r.ToJsonLine()), name);

    public static string WriteLines(string folder, IEnumerable<string> lines, string name = "memories.jsonl")
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")), new UTF8Encoding(false));
        return path;
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MtlPortal.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The tests run outside the repository: MtlPortal.sln not found above " + AppContext.BaseDirectory);
    }
}
