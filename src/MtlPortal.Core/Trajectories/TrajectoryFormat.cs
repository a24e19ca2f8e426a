namespace MtlPortal.Trajectories;

/// <summary>The trajectory formats the portal reads; <see cref="TrajectoryFormats"/> names them as the CLI and API do.</summary>
public enum TrajectoryFormat
{
    /// <summary>SWE-agent's <c>.traj</c>: <c>trajectory[{thought, action, observation}]</c>, <c>history</c>, <c>info</c>.</summary>
    SweAgent = 0,

    /// <summary>Harbor's Agent Trajectory Interchange Format: <c>schema_version: ATIF-v1.x</c>, <c>steps[{source, message, tool_calls, observation}]</c>.</summary>
    Atif = 1,

    /// <summary>mini-swe-agent's log: <c>messages</c> (system, user, then assistant / user pairs) and <c>info</c>.</summary>
    MiniSweAgent = 2,

    /// <summary>OpenHands' event list: actions and the observations they caused.</summary>
    OpenHands = 3,

    /// <summary>InterCode's results: a dict of episodes with <c>query</c>, <c>turn_history</c> and <c>summary.max_reward</c>.</summary>
    InterCode = 4,

    /// <summary>Our own JSONL, one trajectory per line (<c>docs/trajectory-jsonl.md</c>).</summary>
    Jsonl = 5,
}

public static class TrajectoryFormats
{
    /// <summary>The format of trajectories read from the runner's own attempts.</summary>
    public const string Runner = "runner";

    private static readonly Dictionary<string, TrajectoryFormat> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["swe-agent"] = TrajectoryFormat.SweAgent,
        ["atif"] = TrajectoryFormat.Atif,
        ["mini-swe-agent"] = TrajectoryFormat.MiniSweAgent,
        ["openhands"] = TrajectoryFormat.OpenHands,
        ["intercode"] = TrajectoryFormat.InterCode,
        ["jsonl"] = TrajectoryFormat.Jsonl,
    };

    /// <summary>Every format's name, in the order people read them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. ByName.Keys];

    public static string Name(this TrajectoryFormat format) => ByName.First(p => p.Value == format).Key;

    public static bool TryParse(string? name, out TrajectoryFormat format) =>
        ByName.TryGetValue(name?.Trim() ?? "", out format);
}
