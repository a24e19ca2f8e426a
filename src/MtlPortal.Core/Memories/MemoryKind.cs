namespace MtlPortal.Memories;

/// <summary>
/// The four kinds of memory, from the most concrete to the most abstract. Abstract memories transfer across
/// domains; concrete ones risk negative transfer (the agent anchors on a mismatched domain).
/// </summary>
public enum MemoryKind
{
    /// <summary>The agent's actions and observations, without reasoning.</summary>
    Trajectory = 0,

    /// <summary>A goal and the reusable sequence of actions that reached it.</summary>
    Workflow = 1,

    /// <summary>The task, what was done, and why it succeeded or failed.</summary>
    Summary = 2,

    /// <summary>A title, a one-sentence description and 1–3 sentences of content, free of domain specifics.</summary>
    Insight = 3,
}

/// <summary>How people and clients name a kind: one rule for the API, the CLI and generation requests.</summary>
public static class MemoryKinds
{
    /// <summary>The names, for messages that say what is accepted.</summary>
    public const string Names = "insight, summary, workflow or trajectory";

    /// <summary>
    /// A kind by its name, trimmed, in any case. Only a name: <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/>
    /// alone also takes "3" and "insight,summary" (an or of the values).
    /// </summary>
    public static bool TryParse(string? name, out MemoryKind kind)
    {
        kind = default;
        var trimmed = name?.Trim();
        return !string.IsNullOrEmpty(trimmed) && trimmed.All(char.IsAsciiLetter)
            && Enum.TryParse(trimmed, ignoreCase: true, out kind) && Enum.IsDefined(kind);
    }
}
