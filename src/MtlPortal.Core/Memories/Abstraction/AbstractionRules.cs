namespace MtlPortal.Memories.Abstraction;

/// <summary>
/// The catalogue of abstraction rules. Memory Transfer Learning finds that what carries over between
/// task domains is procedure (verify with tests, iterate, adapt to the environment), not code; every rule
/// here flags a kind of text that anchors an agent on the domain the memory came from.
/// </summary>
/// <remarks>
/// <para>
/// Weights follow how strongly a finding ties a memory to its source: pasted code and traces are most of a
/// memory's meaning when present (0.7); inline code, a path, an address or a benchmark or repository name pins it
/// to one project (0.5); an identifier, a quoted literal or a specific number does too, a little less (0.42–0.45).
/// The sentence limit is a matter of form, not a leak (0.15).
/// </para>
/// <para>
/// Every leak rule weighs more than 0.4, so one leak of any kind leaves an insight under 0.60, the default minimum
/// reviewers see: an insight that names a file, an identifier or a value is concrete, however short, and the score
/// says so. The weights were calibrated on a labelled set of clean and leaking insights
/// (tests/MtlPortal.UnitTests/Abstraction/LabelledInsights.cs): every clean one scores 1, every leaking one under
/// 0.60. See <see cref="AbstractionReport"/> for the formula.
/// </para>
/// </remarks>
public static class AbstractionRules
{
    /// <summary>
    /// Matches fenced code blocks (``` or ~~~, up to the closing fence or the end of the text), pasted terminal
    /// sessions (a "$ " or "&gt;&gt;&gt; " prompt line and its output) and indented blocks (lines indented by four
    /// spaces or a tab after a blank line, at least one of which looks like code).
    /// Code is the most domain-bound content a memory can hold: an agent copies it instead of the procedure.
    /// Indented prose is left alone because plain-text memories often indent for layout.
    /// </summary>
    public static AbstractionRule CodeBlock { get; } = new(
        "code-block",
        "Code block",
        "Pasted code. Agents copy code into unrelated tasks instead of following the procedure; state the steps in words.",
        0.7);

    /// <summary>
    /// Matches stack traces: Python tracebacks with their source lines and final exception, Java, .NET and
    /// JavaScript "at …" frames with the exception line before them, "Caused by", "Exception in thread",
    /// Ruby, PHP, Go and Rust panics. A trace names one codebase's files and functions; what transfers is how
    /// the failure was read and fixed.
    /// </summary>
    public static AbstractionRule StackTrace { get; } = new(
        "stack-trace",
        "Stack trace",
        "A pasted stack trace names one codebase's files and functions. Say what kind of failure it was and how you diagnosed it.",
        0.7);

    /// <summary>
    /// Matches `inline code` and ``inline code`` spans. Whatever is quoted as code is specific to the
    /// project it came from.
    /// </summary>
    public static AbstractionRule InlineCode { get; } = new(
        "inline-code",
        "Inline code",
        "Inline code quotes one project's names or commands. Describe what it does instead.",
        0.5);

    /// <summary>
    /// Matches http, https and ftp URLs, addresses starting with www., bare host names on common top-level
    /// domains (example.com), local addresses (localhost:8000, 127.0.0.1) and e-mail addresses. An address points at one project's resources, which the next task
    /// will not have.
    /// </summary>
    public static AbstractionRule Url { get; } = new(
        "url",
        "URL",
        "A link points at one project's resources. Describe the kind of resource instead (\"the project's documentation\").",
        0.5);

    /// <summary>
    /// Matches Unix paths (rooted, ./ ~/ ../, or relative ones with a file extension, a trailing slash, a
    /// source folder such as src/ or lib/, an underscore or four or more segments), Windows and UNC paths, globs (*.py),
    /// and bare file names with a code-ish extension (utils.py, Main.java, package.json). Paths are the clearest sign of one repository;
    /// an agent following them looks for files that do not exist elsewhere. Slash pairs of words such as
    /// "and/or" or "CI/CD" are not paths.
    /// </summary>
    public static AbstractionRule FilePath { get; } = new(
        "file-path",
        "File path",
        "A file path or file name belongs to one repository. Describe the kind of file instead (\"the module's test file\").",
        0.5);

    /// <summary>
    /// Matches well-known benchmark names (SWE-bench, HumanEval, MBPP, LiveCodeBench, …) and the source
    /// domains and repositories known to the pool, as whole words in any case. A memory that names its
    /// benchmark or repository reads as advice for that benchmark only.
    /// </summary>
    public static AbstractionRule KnownTerm { get; } = new(
        "known-term",
        "Benchmark or domain name",
        "Names a benchmark, repository or source domain. Insights should hold in any project; describe the kind of task instead.",
        0.5);

    /// <summary>
    /// Matches quoted text that looks like a literal rather than English: a single token with digits, code
    /// characters, inner capitals or all capitals ("utf-8", 'NoneType', "GET"), or a phrase with code
    /// characters or command-line flags. Quoted English ("works on my machine") and scare quotes ("right")
    /// are left alone. Literal values belong to one program.
    /// </summary>
    public static AbstractionRule QuotedLiteral { get; } = new(
        "quoted-literal",
        "Quoted literal",
        "A quoted literal value belongs to one program. Say what the value means instead.",
        0.45);

    /// <summary>
    /// Matches snake_case (and __dunder__) names, camelCase with a lower-case prefix of two or more letters
    /// (getUserById, but not iPhone), PascalCase with inner capitals (HttpClient, IOException), dotted names
    /// (os.path.join, System.IO), calls written with empty parentheses (join()), $VARIABLES, names being assigned
    /// (PYTHONPATH=.) and command-line options (-rn, --force, but not the universal --help). Ordinary
    /// English stays quiet: acronyms (API, CI, APIs), abbreviations (e.g., i.e., Ph.D.) and well-known product
    /// names with inner capitals (JavaScript, GitHub, PostgreSQL). Identifiers name one codebase's parts.
    /// </summary>
    public static AbstractionRule Identifier { get; } = new(
        "identifier",
        "Code identifier",
        "A code identifier names part of one codebase. Describe its role instead (\"the function that parses input\").",
        0.45);

    /// <summary>
    /// Matches numbers that are parameters rather than counts: three or more digits (404, 8080, 2024),
    /// decimals and dotted versions (3.14, 3.11, v1.2.3), hex (0x1F), thousands (1,000) and numbers with a
    /// unit attached (500ms, 10MB, 30%). Small counts ("3 times", "1–3 sentences"), ordinals (2nd) and bare
    /// "v2" are fine. Specific values fit one environment; the next one has other ports, limits and versions.
    /// </summary>
    public static AbstractionRule MagicNumber { get; } = new(
        "magic-number",
        "Specific number",
        "A specific number fits one environment. Say what it stands for (\"the service's port\", \"a generous timeout\").",
        0.42);

    /// <summary>
    /// Fires when a field has fewer or more sentences than its <see cref="LintField"/> limits, counted by
    /// <see cref="SentenceCounter"/>. The insight format keeps memories short so that only the transferable
    /// lesson fits; a long insight usually carries task details.
    /// </summary>
    public static AbstractionRule SentenceLimit { get; } = new(
        "sentence-limit",
        "Sentence limit",
        "Insights are short: a one-sentence description and 1–3 sentences of content. Extra sentences usually carry task details.",
        0.15);

    /// <summary>Every rule, roughly from the most to the least binding, for help pages.</summary>
    public static IReadOnlyList<AbstractionRule> All { get; } =
        [CodeBlock, StackTrace, InlineCode, Url, FilePath, KnownTerm, QuotedLiteral, Identifier, MagicNumber, SentenceLimit];

    /// <summary>The rule with the given id, or null if there is none.</summary>
    public static AbstractionRule? Find(string id) => All.FirstOrDefault(r => r.Id == id);
}
