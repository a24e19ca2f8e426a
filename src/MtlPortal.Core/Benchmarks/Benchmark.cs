using MtlPortal.Sandbox;

namespace MtlPortal.Benchmarks;

/// <summary>
/// A named suite of coding tasks. Its <see cref="Name"/> is its domain: the value leave-one-domain-out compares
/// with memories' source domain, so a run on "humaneval-x-python" never retrieves memories from that domain.
/// </summary>
public sealed class Benchmark
{
    public const int NameMax = Memories.Provenance.DomainMax;

    public Guid Id { get; set; }

    /// <summary>Unique (compared without regard to case), trimmed; also the domain.</summary>
    public string Name { get; set; } = "";

    /// <summary>The format it was imported from.</summary>
    public BenchmarkFormat Format { get; set; }

    /// <summary>The imported file's name.</summary>
    public string SourceName { get; set; } = "";

    public DateTimeOffset ImportedAt { get; set; }

    /// <summary>The importing user's id, or a bracketed name such as "[cli]".</summary>
    public string ImportedBy { get; set; } = "";

    /// <summary>When the reference solutions were last run in the sandbox; null until then.</summary>
    public DateTimeOffset? VerifiedAt { get; set; }

    public List<BenchmarkTask> Tasks { get; set; } = [];
}

/// <summary>The file formats benchmarks are imported from.</summary>
public enum BenchmarkFormat
{
    /// <summary>OpenAI's HumanEval: <c>task_id, prompt, entry_point, canonical_solution, test</c>.</summary>
    HumanEval = 0,

    /// <summary>HumanEval-X (CodeGeeX) in one of its six languages.</summary>
    HumanEvalX = 1,

    /// <summary>MBPP, the full set: <c>task_id, text, code, test_list, test_setup_code, challenge_test_list</c>.</summary>
    Mbpp = 2,

    /// <summary>MBPP sanitized: a JSON array of <c>task_id, prompt, code, test_imports, test_list</c>.</summary>
    MbppSanitized = 3,

    /// <summary>The portal's own task JSONL (docs/benchmark-jsonl.md).</summary>
    Tasks = 4,
}

/// <summary>How a model's answer becomes a program (see <see cref="ProgramAssembly"/>).</summary>
public enum AnswerStyle
{
    /// <summary>
    /// The answer completes <see cref="BenchmarkTask.Preamble"/> (HumanEval: the function's body), though it may
    /// instead repeat the whole function.
    /// </summary>
    Completion = 0,

    /// <summary>The answer is the whole solution (MBPP: a module defining the function); the preamble is not used.</summary>
    Standalone = 1,
}

/// <summary>
/// One task of a benchmark. The program that checks an answer is
/// <see cref="Header"/> + (<see cref="Preamble"/> + answer, or the answer alone) + <see cref="Tests"/>, built by
/// <see cref="ProgramAssembly"/>; importers split each format's fields into these parts.
/// </summary>
public sealed class BenchmarkTask
{
    public const int TaskIdMax = 200;
    public const int EntryPointMax = 200;

    public Guid Id { get; set; }

    public Guid BenchmarkId { get; set; }

    public Benchmark? Benchmark { get; set; }

    /// <summary>Position in the imported file, from 0: "the first N tasks" and seeded samples use this order.</summary>
    public int Ordinal { get; set; }

    /// <summary>The dataset's own id, e.g. "HumanEval/0", "Python/12", "Mbpp/2"; unique within the benchmark.</summary>
    public string TaskId { get; set; } = "";

    public SandboxLanguage Language { get; set; }

    public AnswerStyle Style { get; set; }

    /// <summary>What the model is asked: the task as the dataset words it (MBPP: the text and its example asserts).</summary>
    public string Prompt { get; set; } = "";

    /// <summary>The function the tests call.</summary>
    public string EntryPoint { get; set; } = "";

    /// <summary>Code that must come first in the program (Go: the package clause and the test imports); often empty.</summary>
    public string Header { get; set; } = "";

    /// <summary>The code a <see cref="AnswerStyle.Completion"/> answer continues (signature, docstring, imports); empty for standalone tasks.</summary>
    public string Preamble { get; set; } = "";

    /// <summary>The hidden tests, including the call that runs them: appended after the solution.</summary>
    public string Tests { get; set; } = "";

    /// <summary>
    /// Tests an agent may run while it works (HumanEval-X's <c>example_test</c>; MBPP's asserts, which its prompt
    /// shows anyway); null when the dataset has none. Never the hidden <see cref="Tests"/> unless they are shown in the prompt.
    /// </summary>
    public string? ExampleTests { get; set; }

    /// <summary>The dataset's solution, in the answer's style (a body for completion tasks); null when it has none.</summary>
    public string? ReferenceSolution { get; set; }

    /// <summary>Whether the reference passed the tests in the sandbox; null until verified (or without a reference).</summary>
    public bool? ReferencePassed { get; set; }

    public SandboxVerdict? ReferenceVerdict { get; set; }

    /// <summary>The reference run's capped output (why it failed, when it did).</summary>
    public string? ReferenceOutput { get; set; }

    public DateTimeOffset? ReferenceCheckedAt { get; set; }

    /// <summary>
    /// Runs include a task by default unless its reference was run and failed: then the task itself is suspect
    /// (a missing library, a broken test), and a failure would say nothing about the model.
    /// </summary>
    public bool IncludedByDefault => ReferencePassed != false;
}
