using System.Text;
using MtlPortal.Memories;
using MtlPortal.Retrieval;

namespace MtlPortal.Agents;

/// <summary>
/// Renders retrieved memories as a block for an agent's system prompt, the way the Memory Transfer Learning
/// paper inserts its top-3: numbered, with the procedure-over-specifics caveat (they come from other tasks and
/// domains), and a request to say which memory was used, which lets outcomes be attributed.
/// </summary>
public static class PromptBlock
{
    public static string Render(IReadOnlyList<ServedMemory> memories)
    {
        if (memories.Count == 0)
        {
            return "";
        }

        var text = new StringBuilder();
        text.AppendLine("## Memories from earlier tasks");
        text.AppendLine("The memories below were retrieved from a shared pool because they may help with the current task. They come from other tasks, often in other domains: apply the general procedure they describe (how to verify, iterate and adapt to the environment), not their specific files, names or values. Ignore any memory that does not fit.");
        for (var i = 0; i < memories.Count; i++)
        {
            var memory = memories[i];
            text.AppendLine();
            text.Append("### Memory ").Append(i + 1).Append(" (").Append(memory.Content.Kind.ToString().ToLowerInvariant()).AppendLine(")");
            switch (memory.Content)
            {
                case InsightContent insight:
                    text.Append("Title: ").AppendLine(insight.Title);
                    text.Append("Description: ").AppendLine(insight.Description);
                    text.Append("Content: ").AppendLine(insight.Content);
                    break;
                case SummaryContent summary:
                    text.Append("Task: ").AppendLine(summary.TaskSummary);
                    text.Append("Outcome: ").AppendLine(summary.OutcomeAnalysis);
                    break;
                case WorkflowContent workflow:
                    text.Append("Goal: ").AppendLine(workflow.Goal);
                    for (var s = 0; s < workflow.Steps.Count; s++)
                    {
                        text.Append(s + 1).Append(". ").AppendLine(workflow.Steps[s]);
                    }

                    break;
                case TrajectoryContent trajectory:
                    for (var s = 0; s < trajectory.Steps.Count; s++)
                    {
                        text.Append("Action ").Append(s + 1).Append(": ").AppendLine(trajectory.Steps[s].Action);
                        text.Append("Observation ").Append(s + 1).Append(": ").AppendLine(trajectory.Steps[s].Observation);
                    }

                    break;
            }
        }

        text.AppendLine();
        text.Append("When you finish, say which memory you used, if any, on its own line: \"Memory used: 2\" (or \"Memory used: none\").");
        return text.ToString();
    }
}
