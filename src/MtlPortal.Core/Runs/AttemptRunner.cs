using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using MtlPortal.Agents;
using MtlPortal.Benchmarks;
using MtlPortal.Llm;
using MtlPortal.Sandbox;

namespace MtlPortal.Runs;

/// <summary>
/// One attempt: retrieve (unless zero-shot) through the same search and search log as the agent API, put the
/// memories into the system prompt as the API's <see cref="PromptBlock"/>, ask the model (in agent mode with a
/// <c>run_code</c> tool on the visible examples), take the program out of the answer and run it against the hidden
/// tests in the sandbox.
/// </summary>
public sealed class AttemptRunner(AgentSearch search, ICodeSandbox sandbox, TimeProvider clock, IOptions<RunnerOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The plan prompt, shared with the agent API's plan queries (<see cref="QueryPlanner"/>).</summary>
    public static ChatMessage[] PlanMessages(BenchmarkTask task) => QueryPlanner.Messages(task.Prompt, task.Language.Name());

    /// <summary>Runs one attempt. Transient model failures (no answer, 429, 5xx after retries) throw, so the task is retried later; others are recorded.</summary>
    public async Task<RunAttempt> RunAsync(
        Run run, ModelConnection connection, IChatClient chat, BenchmarkTask task, string condition, int number, string? plan, CancellationToken cancellationToken)
    {
        var attempt = new RunAttempt
        {
            Id = Guid.CreateVersion7(), RunId = run.Id, TaskId = task.Id, Condition = condition, AttemptNumber = number,
        };
        var started = Stopwatch.GetTimestamp();
        var hits = new List<SearchHit>();
        var promptBlock = "";
        if (RunConditions.Kind(condition) is { } kind)
        {
            var request = new SearchRequest(
                run.Query == RetrievalQuery.Plan && !string.IsNullOrWhiteSpace(plan) ? plan : task.Prompt,
                run.TopN, [kind], run.ExcludeDomains, run.Teams?.Select(t => t.ToString()).ToList(), run.SourceModels, run.MinAbstraction);
            var found = await search.SearchAsync(new SearchOrigin(null, run.CreatedBy, run.Id), request, run.FrozenPool(), cancellationToken);
            if (!found.Succeeded)
            {
                attempt.Error = "Retrieval refused: " + string.Join(" ", found.Errors.Select(e => e.Message));
                return Finish(attempt, started);
            }

            attempt.RetrievalId = found.Value!.RetrievalId;
            hits.AddRange(found.Value.Hits);
            promptBlock = found.Value.PromptBlock;
            attempt.Memories = JsonSerializer.Serialize(
                hits.Select(h => new { rank = h.Rank, memoryId = h.Memory.MemoryId, revisionId = h.Memory.RevisionId, score = Math.Round(h.Score, 4) }), Json);
        }

        List<ChatMessage> messages =
        [
            new(ChatRole.System, SystemPrompt(run, task, promptBlock)),
            new(ChatRole.User, TaskMessage(task)),
        ];
        var chatOptions = new ChatOptions { Temperature = run.Temperature, MaxOutputTokens = run.MaxOutputTokens };
        var steps = new List<object>();
        var client = chat;
        if (run.Mode == RunMode.Agent)
        {
            var tool = AIFunctionFactory.Create(
                ([Description("The complete code to run: the function (and any helpers) as you would answer it.")] string code, CancellationToken token) =>
                    RunCodeAsync(task, code, steps, token),
                name: "run_code",
                description: "Runs your code against the task's example tests in a sandbox and returns the verdict and output. The hidden tests are not run.");
            chatOptions.Tools = [tool];
            client = new FunctionInvokingChatClient(chat) { MaximumIterationsPerRequest = run.MaxSteps };
        }

        ChatResponse response;
        var asked = Stopwatch.GetTimestamp();
        try
        {
            response = await client.GetResponseAsync(messages, chatOptions, cancellationToken);
            attempt.ModelMs = Stopwatch.GetElapsedTime(asked).TotalMilliseconds;
        }
        catch (ModelServiceException e) when (e.StatusCode is { } status and >= 400 and < 500 and not 408 and not 429)
        {
            attempt.ModelMs = Stopwatch.GetElapsedTime(asked).TotalMilliseconds;
            attempt.Error = e.Message;
            attempt.Messages = Serialize(messages);
            attempt.Steps = JsonSerializer.Serialize(steps, Json);
            return Finish(attempt, started);
        }

        attempt.Messages = Serialize([.. messages, .. response.Messages]);
        attempt.Steps = JsonSerializer.Serialize(steps, Json);
        attempt.TokensIn = response.Usage?.InputTokenCount ?? 0;
        attempt.TokensOut = response.Usage?.OutputTokenCount ?? 0;
        attempt.Cost = connection.Cost(attempt.TokensIn, attempt.TokensOut);
        var answer = response.Messages.LastOrDefault(m => m.Role == ChatRole.Assistant && m.Text.Length > 0)?.Text ?? "";
        attempt.Answer = answer;
        if (hits.Count > 0 && AnswerText.MemoryUsed(answer, hits.Count) is { } rank)
        {
            attempt.MemoryUsedRank = rank;
            attempt.MemoryUsedId = hits[rank - 1].Memory.MemoryId;
        }

        attempt.Program = AnswerText.Program(answer);
        var verifying = Stopwatch.GetTimestamp();
        var result = await sandbox.RunAsync(ProgramAssembly.ForAnswer(task, attempt.Program), cancellationToken);
        attempt.SandboxMs = Stopwatch.GetElapsedTime(verifying).TotalMilliseconds;
        attempt.Verdict = result.Verdict;
        attempt.Output = result.Output;
        return Finish(attempt, started);
    }

    /// <summary>The instructions, then the memories exactly as the API's promptBlock renders them.</summary>
    public static string SystemPrompt(Run run, BenchmarkTask task, string promptBlock)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(task);
        var instructions = $"You are an expert {task.Language.Name()} programmer. Solve the task and give the complete solution in one fenced code block.";
        if (run.Mode == RunMode.Agent)
        {
            instructions += $" You may call run_code to try your code against the task's examples (at most {run.MaxSteps} times) before you answer.";
        }

        return string.IsNullOrEmpty(promptBlock) ? instructions : instructions + "\n\n" + promptBlock;
    }

    public static string TaskMessage(BenchmarkTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var language = task.Language.Name();
        return task.Style == AnswerStyle.Completion
            ? $"Complete the following {language} code. Answer with the whole function.\n\n```{language}\n{task.Prompt.TrimEnd()}\n```"
            : $"{task.Prompt.TrimEnd()}\n\nAnswer with the complete {language} solution.";
    }

    private async Task<string> RunCodeAsync(BenchmarkTask task, string code, List<object> steps, CancellationToken cancellationToken)
    {
        var program = ProgramAssembly.ForExamples(task, code)
            ?? new SandboxProgram(task.Language, task.Header.Length > 0 ? task.Header + "\n" + ProgramAssembly.Solution(task, code) : ProgramAssembly.Solution(task, code));
        var result = await sandbox.RunAsync(program, cancellationToken);
        var limit = Math.Max(200, options.Value.ObservationChars);
        var output = result.Output.Length <= limit ? result.Output : result.Output[..limit] + "\n[output cut]";
        var observation = $"verdict: {result.Verdict}\n{output}";
        lock (steps)
        {
            steps.Add(new { code, verdict = result.Verdict.ToString(), output });
        }

        return observation;
    }

    private RunAttempt Finish(RunAttempt attempt, long started)
    {
        attempt.LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        attempt.FinishedAt = clock.GetUtcNow();
        return attempt;
    }

    private static string Serialize(IEnumerable<ChatMessage> messages) =>
        JsonSerializer.Serialize(messages.Select(m => new
        {
            role = m.Role.Value,
            content = m.Text,
            toolCalls = m.Contents.OfType<FunctionCallContent>().Select(c => new { c.CallId, c.Name, c.Arguments }).ToList() is { Count: > 0 } calls ? calls : null,
            toolResults = m.Contents.OfType<FunctionResultContent>().Select(r => new { r.CallId, result = r.Result?.ToString() }).ToList() is { Count: > 0 } results ? results : null,
        }), Json);
}
