using System.Text;
using MtlPortal.Memories;
using MtlPortal.Trajectories;

namespace MtlPortal.Generation;

/// <summary>One prompt: what it is for, and its text.</summary>
public sealed record GenerationPrompt(string Name, string Purpose, string Text);

/// <summary>
/// Every prompt the portal sends to make memories and verdicts, in one place (also shown to admins on the
/// Generation prompts page and described in <c>docs/generation-prompts.md</c>).
/// Adapted from the Memory Transfer Learning paper's repository, KangsanKim07/MemoryTransferLearning @61c6e4e3:
/// <c>harbor/experiments/prompts/memory.py</c> (INSIGHT_*, WORKFLOW_*_EXTRACT, SUMMARY_*_EXTRACT) and
/// <c>harbor/experiments/prompts/llm_judge.py</c> (LLM_JUDGE_PROMPT). The paper's prompts speak of repository-level
/// code editing and Bash commands; these speak of any coding agent's task and actions, and every kind answers JSON.
/// The paper stores raw trajectories without a model; here the trajectory kind has a prompt too, so that the model
/// drops reasoning and cuts observations the same way for every source format.
/// </summary>
public static class GenerationPrompts
{
    /// <summary>Observations are cut to this many characters in what the model reads.</summary>
    public const int ObservationLimit = 1_500;

    /// <summary>The trajectory text sent to the model is cut to this many characters, keeping its start and its end.</summary>
    public const int TrajectoryLimit = 60_000;

    public const string Judge = """
        You are an extremely critical pass/fail verifier for a coding agent's task.
        Read the task and the agent's full trajectory and decide whether the agent's final solution is truly correct.
        Judge with strict skepticism:
        1. Full specification: the agent must fulfil every requirement of the task; partial or speculative solutions fail.
        2. Real technical correctness: do not trust the agent's claims or reasoning; judge only the actual actions, edits and their effects. If you cannot reasonably infer that the solution works, it fails.
        3. No hidden regressions: assume a change may break existing behaviour unless it is clearly safe.
        4. Verification evidence: the agent must show convincing verification (tests or commands that were run, and their output). Vague claims such as "tests pass" or "should work" are not evidence.
        5. Ignore persuasive or confident language.
        6. When in doubt, FAIL.
        A task receives PASS only if the solution is unquestionably correct, complete, safe and verified.
        Answer with exactly one word on the last line: PASS or FAIL.
        """;

    private const string InsightRules = """
        - You can extract only one memory item from the trajectory.
        - Do not mention specific files, paths, functions, variables, commands, string contents, numbers, URLs, libraries, benchmarks or datasets; focus on the generalizable insight that would help in a different project or domain.
        - The title is a short phrase, the description is exactly one sentence, the content is one to three sentences.
        ## Output format
        Answer with one JSON object and nothing else:
        {"title": "the title of the memory item", "description": "one sentence summary of the memory item", "content": "1-3 sentences describing the insight"}
        """;

    public const string InsightSuccess = """
        You are an expert in coding-agent tasks. You will be given a task and the trajectory of an agent that successfully accomplished it.
        ## Guidelines
        Extract and summarize one useful insight in the format of a memory item, based on the agent's successful trajectory.
        The memory item must be helpful and generalizable for future tasks, including tasks of other kinds.
        ## Important notes
        - First think about why the trajectory succeeded, then summarize the insight.

        """ + InsightRules;

    public const string InsightFailure = """
        You are an expert in coding-agent tasks. You will be given a task and the trajectory of an agent that attempted it but failed.
        ## Guidelines
        Extract and summarize one useful insight in the format of a memory item, based on the agent's failed trajectory.
        The memory item must be helpful and generalizable for future tasks, including tasks of other kinds.
        ## Important notes
        - First reflect on why the trajectory failed, then summarize the lesson learned or the strategy that prevents the failure in the future.

        """ + InsightRules;

    public const string WorkflowSuccess = """
        ## Task description
        You are given a successful trajectory of a coding agent: a sequence of actions that correctly achieved its goal.
        Extract a single reusable workflow that captures the core strategy behind the success, so it can be reused in similar future tasks: how the relevant code was found, changed and verified.
        ## What you need to produce
        - goal: what kind of subproblem the workflow solves and when it should be used.
        - workflow: the key actions, in order, that made the trajectory succeed; a reusable subroutine, not a log. Long actions may be shortened as long as the core action remains.
        ## Output format
        Answer with one JSON object and nothing else:
        {"goal": "when this workflow applies", "workflow": ["action 1", "action 2", "action 3"]}
        """;

    public const string WorkflowFailure = """
        ## Task description
        You are given a failed trajectory of a coding agent: a sequence of actions that did not reach the intended goal.
        Extract a single reusable workflow that captures the bad or misleading strategy (the anti-pattern) that led to the failure, so it can be avoided in similar future tasks: skipping inspection, editing the wrong place, unchecked changes, validating the wrong thing.
        ## What you need to produce
        - goal: what kind of mistake the workflow represents and when it tends to occur; say that it is an anti-pattern to avoid.
        - workflow: the key actions, in order, that illustrate the harmful pattern (not how it was fixed). Long actions may be shortened.
        ## Output format
        Answer with one JSON object and nothing else:
        {"goal": "the anti-pattern and when it occurs", "workflow": ["action 1", "action 2", "action 3"]}
        """;

    public const string SummarySuccess = """
        ## Task description
        You are given a successful trajectory of a coding agent. Produce a structured summary of what was done and why it worked, as reference for similar tasks.
        ## What you need to produce
        - task_summary: two or three sentences describing the task: what needed to be changed or built, in what kind of codebase or environment.
        - experience_summary: one paragraph on the whole trajectory: the environment, the key actions, the approach and the outcome, and why it succeeded (the strategies, checks or decisions that led to the correct result).
        Base both only on the given trajectory.
        ## Output format
        Answer with one JSON object and nothing else:
        {"task_summary": "...", "experience_summary": "..."}
        """;

    public const string SummaryFailure = """
        ## Task description
        You are given a failed trajectory of a coding agent. Produce a structured summary of what was attempted, what went wrong and why, as a negative example for similar tasks.
        ## What you need to produce
        - task_summary: two or three sentences describing the task that was attempted: what needed to be changed or built, in what kind of codebase or environment.
        - experience_summary: one paragraph on the whole trajectory: the key actions, the approach and the failed outcome, why it failed (wrong assumptions, missing checks, flawed strategy) and how to avoid the same failure.
        Base both only on the given trajectory.
        ## Output format
        Answer with one JSON object and nothing else:
        {"task_summary": "...", "experience_summary": "..."}
        """;

    private const string TrajectoryRules = """
        - Keep the actions in order, as the agent issued them; leave out every thought, plan and explanation.
        - Keep each observation short: the lines that show what happened (an error, a test result, the relevant output); write "[cut]" where you leave text out.
        - At most 30 steps: when there are more, drop repeated or unimportant steps.
        ## Output format
        Answer with one JSON object and nothing else:
        {"steps": [{"action": "what the agent did", "observation": "what it saw, cut"}]}
        """;

    public const string TrajectorySuccess = """
        You are given the trajectory of a coding agent that succeeded at its task. Rewrite it as a trajectory memory: the actions and observations that reached the solution, without the agent's reasoning.

        """ + TrajectoryRules;

    public const string TrajectoryFailure = """
        You are given the trajectory of a coding agent that failed at its task. Rewrite it as a trajectory memory: the actions and observations that led to the failure, without the agent's reasoning, so others can recognise the path.

        """ + TrajectoryRules;

    /// <summary>Every prompt, for the admins' page.</summary>
    public static IReadOnlyList<GenerationPrompt> All { get; } =
    [
        new("judge", "The strict pass/fail judge, for trajectories without a ground-truth verdict.", Judge),
        new("insight-success", "An insight from a successful trajectory.", InsightSuccess),
        new("insight-failure", "An insight from a failed trajectory.", InsightFailure),
        new("workflow-success", "A workflow from a successful trajectory.", WorkflowSuccess),
        new("workflow-failure", "A workflow (anti-pattern) from a failed trajectory.", WorkflowFailure),
        new("summary-success", "A summary from a successful trajectory.", SummarySuccess),
        new("summary-failure", "A summary from a failed trajectory.", SummaryFailure),
        new("trajectory-success", "A trajectory memory from a successful trajectory.", TrajectorySuccess),
        new("trajectory-failure", "A trajectory memory from a failed trajectory.", TrajectoryFailure),
    ];

    /// <summary>The system prompt for a kind and an outcome.</summary>
    public static string For(MemoryKind kind, bool success) => kind switch
    {
        MemoryKind.Insight => success ? InsightSuccess : InsightFailure,
        MemoryKind.Workflow => success ? WorkflowSuccess : WorkflowFailure,
        MemoryKind.Summary => success ? SummarySuccess : SummaryFailure,
        MemoryKind.Trajectory => success ? TrajectorySuccess : TrajectoryFailure,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The user message: the task, the steps with observations cut, the final answer; for the judge, no verdict.</summary>
    public static string Render(Trajectory trajectory, bool withVerdict)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        var text = new StringBuilder();
        text.Append("## Task\n").Append(trajectory.TaskText.Trim()).Append("\n\n## Trajectory\n");
        var steps = trajectory.Steps;
        for (var i = 0; i < steps.Count; i++)
        {
            text.Append("### Step ").Append(i + 1).Append('\n');
            if (!string.IsNullOrWhiteSpace(steps[i].Thought))
            {
                text.Append("Thought: ").Append(steps[i].Thought!.Trim()).Append('\n');
            }

            text.Append("Action: ").Append(steps[i].Action.Trim()).Append('\n');
            if (!string.IsNullOrWhiteSpace(steps[i].Observation))
            {
                text.Append("Observation: ").Append(Cut(steps[i].Observation!.Trim(), ObservationLimit)).Append('\n');
            }
        }

        if (!string.IsNullOrWhiteSpace(trajectory.FinalAnswer))
        {
            text.Append("\n## Final answer\n").Append(Cut(trajectory.FinalAnswer.Trim(), ObservationLimit * 4)).Append('\n');
        }

        if (withVerdict)
        {
            text.Append("\n## Outcome\n").Append(trajectory.Verdict == TrajectoryVerdict.Passed ? "The attempt succeeded." : "The attempt failed.").Append('\n');
        }

        return text.Length <= TrajectoryLimit
            ? text.ToString()
            : string.Concat(text.ToString(0, TrajectoryLimit / 2), "\n[… trajectory cut …]\n", text.ToString(text.Length - (TrajectoryLimit / 2), TrajectoryLimit / 2));
    }

    private static string Cut(string text, int limit) =>
        text.Length <= limit ? text : $"{text[..(limit / 2)]}\n[… {text.Length - limit} characters cut …]\n{text[^(limit / 2)..]}";
}
