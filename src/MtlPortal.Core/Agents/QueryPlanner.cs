using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace MtlPortal.Agents;

/// <summary>
/// The paper's query: before retrieval, a model writes a short high-level plan for the task (3–4 sentences, without
/// solving it), and the plan is embedded instead of the task, so retrieval matches how a task is approached more than
/// what it is about. One prompt for the agent API, the MCP tools and the runner; the API's plans come from the
/// portal's LLM (<c>Llm:*</c>) and are cached by task text.
/// </summary>
public sealed class QueryPlanner(IServiceProvider services)
{
    /// <summary>How many plans are remembered; agents often search the same task again.</summary>
    public const int CacheSize = 2_000;

    private readonly MemoryCache _plans = new(new MemoryCacheOptions { SizeLimit = CacheSize });

    /// <summary>Whether a model is configured to write plans (without one, plan queries are refused, never faked).</summary>
    public bool IsAvailable => services.GetService<IChatClient>() is not null;

    /// <summary>
    /// The plan prompt. The paper's code does not publish its wording; this follows its description.
    /// </summary>
    /// <param name="task">The task as given.</param>
    /// <param name="language">The programming language when the task names one (the runner's tasks do).</param>
    public static ChatMessage[] Messages(string task, string? language = null) =>
    [
        new(ChatRole.System, "You are an expert programmer who plans before coding."),
        new(ChatRole.User,
            $"Read the task below and write a high-level plan for solving it in 3 to 4 sentences. Do not solve the task and do not write any code.\n\n{(language is null ? "Task" : $"Task ({language})")}:\n{task}"),
    ];

    /// <summary>The plan for <paramref name="task"/>, from the cache or the portal's LLM.</summary>
    /// <exception cref="InvalidOperationException">No LLM is configured (check <see cref="IsAvailable"/> first).</exception>
    /// <exception cref="Llm.ModelServiceException">The model server failed or did not answer.</exception>
    public async Task<string> PlanAsync(string task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (_plans.TryGetValue(task, out string? cached) && cached is not null)
        {
            return cached;
        }

        var chat = services.GetService<IChatClient>() ?? throw new InvalidOperationException("Plan queries need an LLM: set Llm:Endpoint and Llm:Model.");
        var response = await chat.GetResponseAsync(Messages(task), cancellationToken: cancellationToken);
        var plan = response.Text.Trim();
        if (plan.Length > 0)
        {
            _plans.Set(task, plan, new MemoryCacheEntryOptions { Size = 1 });
        }

        return plan;
    }
}
