using System.Text.Json;

namespace MtlPortal.Bench;

/// <summary>
/// Realistic text for the API benchmark: approved insight memories composed from templates and a programming
/// vocabulary (abstract advice about procedure, the kind the paper finds transfers), and task texts to search
/// with, taken from MBPP when the shared data set is there. The lexical embedder ranks by shared words, so the
/// memories use the words coding tasks use (lists, strings, tuples, primes, matrices) and searches find
/// genuinely related memories rather than noise.
/// </summary>
internal static class InsightCorpus
{
    /// <summary>The task family each memory came from; a search leaves its own domain out.</summary>
    public static readonly string[] Domains =
        ["mbpp", "humaneval", "swe-bench", "intercode-bash", "intercode-sql", "apps", "livecodebench", "codecontests"];

    /// <summary>The domain of the queries (MBPP tasks), left out of every search as leave-one-domain-out does.</summary>
    public const string QueryDomain = "mbpp";

    // Relative to the repository root: the shared data sets sit beside the worktrees and are never copied in.
    private const string MbppPath = "../shared/data/mbpp/mbpp.jsonl";

    private static readonly string[] Topics =
    [
        "strings", "lists", "tuples", "dictionaries", "sets", "matrices", "binary numbers", "prime numbers",
        "regular expressions", "sorting", "recursion", "dates and times", "floating-point arithmetic", "linked lists",
        "heaps", "sequences", "arrays", "substrings", "digits of a number", "bit manipulation", "geometry",
        "combinatorics", "file paths", "shell pipelines", "SQL queries", "nested lists", "characters", "words in a sentence",
        "intervals", "graphs", "binary trees", "large inputs", "duplicate elements", "counting frequencies",
        "string formatting", "integer division", "negative numbers", "empty inputs", "unicode text", "permutations",
    ];

    private static readonly (string Title, string Advice, string Why)[] Practices =
    [
        ("Turn every example into a test", "turn each given example into an assertion before writing the solution",
            "Examples in a task statement are the cheapest tests available, and running them first catches a misread specification early."),
        ("Restate the contract first", "restate the inputs, outputs and edge cases in one sentence before coding",
            "Most wrong answers come from solving a slightly different problem than the one asked."),
        ("Reproduce before you fix", "reproduce the failure with the smallest input that shows it",
            "A minimal reproduction separates the real cause from the noise around it and proves the fix afterwards."),
        ("Run the project's own checks", "run the checks the project already has rather than an ad-hoc script",
            "A change that passes a private check can still break the suite that decides whether the task is done."),
        ("Check the boundaries", "test the empty, single-element and largest cases explicitly",
            "Off-by-one errors and empty-input crashes hide at the boundaries, not in the typical case."),
        ("Prefer the simplest correct solution", "write the simplest implementation that passes before optimising",
            "A simple version gives a reference to compare a faster one against, and is often fast enough."),
        ("Read the error before changing code", "read the whole error message and traceback before editing anything",
            "The message usually names the line and the type involved, which narrows the search at once."),
        ("Iterate in small steps", "change one thing at a time and rerun the tests after each change",
            "Small steps make it obvious which change fixed or broke the behaviour."),
        ("Inspect the environment", "check the versions and tools the environment provides before relying on them",
            "Commands and library functions differ between versions, and an assumption about them fails silently."),
        ("Compare against a brute-force answer", "compare the result with a brute-force computation on small inputs",
            "A slow but obviously correct version exposes mistakes in a clever one."),
        ("Mind the return type", "return exactly the type the examples show, not a close relative",
            "A list where a tuple is expected, or a float where an integer is expected, fails an equality check."),
        ("Do not mutate the input", "work on a copy instead of changing the argument in place",
            "Callers and tests often reuse their input, and an in-place change breaks them in ways that are hard to see."),
        ("Handle ties deterministically", "decide how ties are broken and keep the original order when in doubt",
            "Expected outputs usually assume a stable order, so an arbitrary choice fails some tests but not others."),
        ("Print intermediate values", "print the intermediate values on a failing input instead of guessing",
            "Seeing the actual state at each step replaces speculation with evidence."),
        ("Validate assumptions about input", "check the input's format and range against what the task promises",
            "Tasks often allow inputs the first draft did not consider, such as negative values or repeated items."),
        ("Keep the interface unchanged", "keep the function name and signature exactly as the task specifies",
            "Tests call the function by name with the given arguments, so a renamed parameter is a failed task."),
        ("Use the standard library", "look for a standard library function before writing the algorithm by hand",
            "Library functions are tested and handle corner cases that a hand-written loop misses."),
        ("Estimate the cost first", "estimate the running time on the largest input before choosing an approach",
            "An approach that is quadratic on a large input times out however carefully it is written."),
        ("Verify before submitting", "rerun every test once more after the last edit, before declaring the task done",
            "The last small edit is the one most often left untested."),
        ("Separate parsing from logic", "parse the input into plain values first, then solve the problem on those values",
            "Mixing the two makes both harder to test and hides which one is wrong."),
        ("Write down the invariant", "state what each loop keeps true before writing its body",
            "An explicit invariant makes off-by-one and termination mistakes visible."),
        ("Treat warnings as hints", "read the warnings the tools print and fix the ones about the changed code",
            "A warning about an unused value or a shadowed name often points straight at the bug."),
        ("Search for similar code", "look for code in the project that already solves a similar problem",
            "Reusing the project's own patterns avoids inconsistencies reviewers would reject."),
        ("Stop when the tests pass", "stop refactoring once the tests pass and the code is clear",
            "Extra cleverness after the task is done adds risk without adding value."),
    ];

    private static readonly string[] Edges =
    [
        "an empty input", "a single element", "repeated values", "negative numbers", "zero", "very large values",
        "mixed upper and lower case", "leading and trailing spaces", "an odd length", "an even length",
        "unsorted input", "already sorted input", "nested structures", "non-ASCII characters", "overflowing sums",
        "missing keys", "a value at both ends", "only duplicates", "whitespace-only text", "the maximum allowed size",
    ];

    private static readonly string[] Closings =
    [
        "Write the check first and let it fail once, so you know it tests something.",
        "Keep the test after the task is done: it documents the case for the next reader.",
        "If the task statement is silent about the case, follow what the examples imply.",
        "Note what you verified and how, so a reviewer can repeat it.",
        "When a test fails, shrink the input until the cause is obvious.",
        "Prefer a clear failure message over a silent wrong answer.",
        "Ask which behaviour the caller relies on before changing it.",
        "Run the whole suite, not only the new test.",
        "Measure before optimising; the slow part is rarely where you expect it.",
        "Compare the output with the expected value character by character when they look equal.",
        "Leave the environment as you found it: temporary files and settings included.",
        "Keep the change small enough to review in a minute.",
    ];

    private static readonly string[] Models = ["gpt-5-mini", "claude-sonnet-4", "qwen3-coder", "gpt-4.1", "deepseek-v3", "human"];

    private static readonly string[] Tags =
        ["testing", "debugging", "edge-cases", "verification", "iteration", "environment", "performance", "parsing", "specification", "review"];

    private static readonly string[] Outcomes = ["success", "success", "success", "failure", "unknown"];

    /// <summary>Writes <paramref name="count"/> insight memories as memory JSONL (docs/memory-jsonl.md), without a team.</summary>
    public static void WriteMemories(string path, int count, int seed)
    {
        var random = new Random(seed);
        using var file = File.Create(path);
        using var json = new Utf8JsonWriter(file);
        for (int i = 0; i < count; i++)
        {
            var (title, advice, why) = Practices[random.Next(Practices.Length)];
            string topic = Topics[random.Next(Topics.Length)];
            string edge = Edges[random.Next(Edges.Length)];
            string domain = Domains[random.Next(Domains.Length)];
            json.WriteStartObject();
            json.WriteString("kind", "insight");
            json.WriteString("title", $"{title} with {topic}");
            json.WriteString("description", $"When a task involves {topic}, {advice}.");
            json.WriteString("content", $"{why} With {topic}, include a case with {edge}. {Closings[random.Next(Closings.Length)]}");
            json.WriteString("sourceDomain", domain);
            json.WriteString("sourceTaskRef", $"{domain}-task-{random.Next(1, 2_000)}");
            json.WriteString("sourceModel", Models[random.Next(Models.Length)]);
            json.WriteString("outcome", Outcomes[random.Next(Outcomes.Length)]);
            json.WriteStartArray("tags");
            foreach (string tag in Tags.OrderBy(_ => random.Next()).Take(random.Next(1, 4)))
            {
                json.WriteStringValue(tag);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
            file.WriteByte((byte)'\n');
            json.Reset(file);
        }
    }

    /// <summary>MBPP's task texts, or (when the shared data set is missing) task-like texts from the vocabulary.</summary>
    public static (IReadOnlyList<string> Queries, string Source) LoadQueries(string repositoryRoot, int seed)
    {
        string mbpp = Path.GetFullPath(Path.Combine(repositoryRoot, MbppPath));
        if (File.Exists(mbpp))
        {
            var texts = new List<string>();
            foreach (string line in File.ReadLines(mbpp).Where(line => !string.IsNullOrWhiteSpace(line)))
            {
                using var task = JsonDocument.Parse(line);
                if (task.RootElement.GetProperty("text").GetString() is { Length: > 0 } text)
                {
                    texts.Add(text);
                }
            }

            if (texts.Count > 0)
            {
                return (texts, $"{texts.Count} MBPP task texts ({mbpp})");
            }
        }

        var random = new Random(seed);
        string[] verbs = ["find", "count", "sort", "remove", "check", "merge", "reverse", "split", "convert", "sum"];
        var generated = Enumerable.Range(0, 1_000)
            .Select(_ => $"Write a function to {verbs[random.Next(verbs.Length)]} {Topics[random.Next(Topics.Length)]} "
                + $"that handles {Edges[random.Next(Edges.Length)]}.")
            .ToList();
        return (generated, $"{generated.Count} generated task texts ({mbpp} not found)");
    }
}
