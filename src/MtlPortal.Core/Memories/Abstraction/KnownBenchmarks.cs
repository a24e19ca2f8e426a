using System.Buffers;
using System.Text.RegularExpressions;

namespace MtlPortal.Memories.Abstraction;

/// <summary>
/// Well-known coding-agent benchmarks, which the linter flags without being told about them. Source domains
/// and repositories of the pool come from the caller instead, because they change as the pool grows.
/// </summary>
public static partial class KnownBenchmarks
{
    /// <summary>The benchmarks the linter recognises, as they are usually written; for help pages.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "SWE-bench", "SWE-bench Verified", "SWE-bench Lite", "SWE-bench Multimodal", "Multi-SWE-bench", "SWE-Gym",
        "SWE-smith", "SWT-bench", "HumanEval", "HumanEval+", "HumanEval-X", "HumanEvalPack", "MBPP", "MBPP+",
        "LiveCodeBench", "BigCodeBench", "ReplicationBench", "PaperBench", "KernelBench", "MLGym", "MLGym-Bench",
        "MLE-bench", "MLAgentBench", "InterCode", "Aider Polyglot", "Terminal-Bench", "APPS", "CodeContests",
        "DS-1000", "CRUXEval", "EvalPlus", "ClassEval", "RepoBench", "CrossCodeEval", "DevBench", "Defects4J",
        "BugsInPy", "QuixBugs", "CodeXGLUE", "MultiPL-E", "WebArena", "OSWorld", "AgentBench", "ToolBench",
    ];

    // Every alternative of Pattern starts with one of these, so the linter can jump from one occurrence to the
    // next with a vectorised search and try the pattern only there, instead of at every word.
    internal static SearchValues<string> Anchors { get; } = SearchValues.Create(
        [
            "multi", "swe", "swt", "humaneval", "mbpp", "livecodebench", "bigcodebench", "replicationbench", "paperbench",
            "kernelbench", "mlgym", "mle", "mlagentbench", "intercode", "aider", "terminal", "apps", "codecontests", "ds",
            "cruxeval", "evalplus", "classeval", "repobench", "crosscodeeval", "devbench", "defects4j", "bugsinpy",
            "quixbugs", "codexglue", "multipl", "webarena", "osworld", "agentbench", "toolbench",
        ],
        StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Matches, at the position the search starts from, any of <see cref="Names"/> as a whole word, in any case and with a hyphen, underscore, space or
    /// nothing between parts ("SWE bench", "swe_bench"). APPS alone is case-sensitive, since "apps" is English.
    /// Longer variants come first inside each alternative, so "SWE-bench Verified" is one match.
    /// </summary>
    [GeneratedRegex(
        @"\G(?<!\w)(?:" +
        @"(?:Multi[-_\s]?)?SWE[-_\s]?bench(?:[-_\s](?:Verified|Lite|Multimodal|Multilingual|Pro|Live|Java))?" +
        @"|SWE[-_\s]?(?:Gym|smith)|SWT[-_\s]?bench" +
        @"|HumanEval(?:[-_\s]?(?:X|Pack|Fix|Plus)|\+)?|MBPP\+?" +
        @"|LiveCodeBench|BigCodeBench|ReplicationBench|PaperBench|KernelBench" +
        @"|MLGym(?:[-_\s]?Bench)?|MLE[-_\s]?bench|MLAgentBench|InterCode|Aider[-_\s]Polyglot|Terminal[-_\s]?Bench" +
        @"|(?-i:APPS)|CodeContests|DS[-_\s]?1000|CRUXEval|EvalPlus|ClassEval|RepoBench|CrossCodeEval|DevBench" +
        @"|Defects4J|BugsInPy|QuixBugs|CodeXGLUE|MultiPL[-_\s]?E|WebArena|OSWorld|AgentBench|ToolBench" +
        @")(?!\w)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex Pattern();
}
