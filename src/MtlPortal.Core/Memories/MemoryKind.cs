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
