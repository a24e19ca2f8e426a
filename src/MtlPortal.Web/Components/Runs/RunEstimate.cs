using MtlPortal.Runs;

namespace MtlPortal.Web.Components.Runs;

/// <summary>What the New run page knows about a run before it starts.</summary>
/// <param name="MemoryConditions">Conditions that insert memories (all but zero-shot): their prompts are longer.</param>
/// <param name="PromptCharacters">The chosen tasks' average prompt length.</param>
public sealed record RunShape(
    int Tasks, int Conditions, int MemoryConditions, int Attempts, RetrievalQuery Query, RunMode Mode, int MaxSteps, int TopN,
    double PromptCharacters, int? MaxOutputTokens);

/// <summary>A run's model calls (a range in agent mode, where the model decides how often it runs code) and tokens.</summary>
public sealed record RunCostEstimate(int LeastCalls, int MostCalls, long TokensIn, long TokensOut, decimal? Cost);

/// <summary>What a new run will cost in model calls, tokens and (with prices) money, before it starts.</summary>
public static class RunEstimate
{
    /// <summary>Answers are assumed this long when no maximum is set; a plan is asked for in 3–4 sentences.</summary>
    public const int AssumedAnswerTokens = 800;
    public const int PlanTokens = 150;

    /// <summary>The runner's own instructions in each prompt, and one inserted memory, in tokens (rough, for the estimate).</summary>
    public const int InstructionTokens = 300;
    public const int MemoryTokens = 250;

    /// <summary>Tasks the run takes from <paramref name="available"/>: all, or the first / a sample of N.</summary>
    public static int Tasks(int available, int? count) => count is { } n and > 0 ? Math.Min(n, available) : available;

    /// <summary>
    /// Calls and tokens. One plan per task when retrieval embeds the model's plan and some condition retrieves, then
    /// one call per task × condition × attempt. Text at about four characters a token; in agent mode an attempt makes between one call and
    /// one per allowed step plus the answer, each resending the conversation so far (counted at its first length).
    /// </summary>
    public static RunCostEstimate Estimate(RunShape run, ModelConnection? model)
    {
        ArgumentNullException.ThrowIfNull(run);
        var callsPerAttempt = run.Mode == RunMode.Agent ? run.MaxSteps + 1 : 1;
        var plans = run.Query == RetrievalQuery.Plan && run.MemoryConditions > 0 ? run.Tasks : 0;
        var least = plans + run.Tasks * run.Conditions * run.Attempts;
        var most = plans + run.Tasks * run.Conditions * run.Attempts * callsPerAttempt;

        var promptTokens = (long)Math.Ceiling(run.PromptCharacters / 4) + InstructionTokens;
        var answers = (long)run.Tasks * run.Attempts * callsPerAttempt;
        var tokensIn = plans * promptTokens
            + answers * ((run.Conditions - run.MemoryConditions) * promptTokens + run.MemoryConditions * (promptTokens + run.TopN * MemoryTokens));
        var answerTokens = run.MaxOutputTokens ?? AssumedAnswerTokens;
        var tokensOut = plans * Math.Min(PlanTokens, answerTokens) + answers * run.Conditions * answerTokens;
        return new RunCostEstimate(least, most, tokensIn, tokensOut, model?.Cost(tokensIn, tokensOut));
    }
}
