using Microsoft.Extensions.AI;
using MtlPortal.Trajectories;

namespace MtlPortal.Generation;

/// <summary>
/// The strict LLM judge for trajectories that have no ground-truth verdict (<see cref="GenerationPrompts.Judge"/>):
/// it does not trust the agent's claims, asks for evidence of verification, and fails when in doubt. An answer that
/// is neither PASS nor FAIL counts as FAIL, in the same spirit.
/// </summary>
public static class TrajectoryJudge
{
    public static IReadOnlyList<ChatMessage> Messages(Trajectory trajectory) =>
    [
        new(ChatRole.System, GenerationPrompts.Judge),
        new(ChatRole.User, GenerationPrompts.Render(trajectory, withVerdict: false)),
    ];

    /// <summary>The verdict in the judge's answer: the last line that says PASS or FAIL; anything else fails.</summary>
    public static (TrajectoryVerdict Verdict, string Note) Read(string answer)
    {
        var last = (answer ?? "").Split('\n').Select(l => l.Trim().Trim('*', '`', '.', ' ').ToUpperInvariant()).LastOrDefault(l => l.Length > 0) ?? "";
        return last switch
        {
            "PASS" => (TrajectoryVerdict.Passed, "LLM judge: PASS"),
            "FAIL" => (TrajectoryVerdict.Failed, "LLM judge: FAIL"),
            _ => (TrajectoryVerdict.Failed, "LLM judge answered neither PASS nor FAIL; failed, as in doubt"),
        };
    }
}
