using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MtlPortal.Mcp;

/// <summary>
/// The four tools an agent uses: search the approved pool, read one memory, submit a memory for review, report
/// how a task went. Each answers with text written for the model and the same result as structured JSON; a
/// refused request is a tool error whose text says what to change.
/// </summary>
[McpServerToolType]
public sealed class MemoryTools(PortalApi portal, ILogger<MemoryTools> logger)
{
    public const string SearchMemories = "search_memories";
    public const string GetMemory = "get_memory";
    public const string SubmitMemory = "submit_memory";
    public const string ReportOutcome = "report_outcome";

    [McpServerTool(Name = SearchMemories, Title = "Search team memories", ReadOnly = true, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(SearchMemoriesResult))]
    [Description("""
        Search the team's approved memory pool for lessons from earlier coding tasks that fit the current task. Call it once at the start of a task, with a description of the task.
        By default only insights are returned (short, abstract lessons about procedure: how to verify, iterate and adapt to the environment), the top 3: the kind and number that helped most in the Memory Transfer Learning study. Summaries, workflows and trajectories are returned only when asked for in kinds.
        The answer is a prompt block to follow as guidance (apply the general procedure, not the specific files, names or values of the task it came from), the ranked list of memories with their ids, and a retrievalId: keep it, and call report_outcome with it when the task is done.
        To follow the study's leave-one-domain-out evaluation, name the current task's own domain (its benchmark or task family) in excludeDomains, so that only memories from other domains are returned.
        """)]
    public Task<CallToolResult> SearchMemoriesAsync(
        [Description("The current task in a few sentences: what has to be done, in what kind of project and environment. It is compared with the memories by meaning; the portal keeps only a hash of it.")]
        string query,
        [Description("How many memories to return, 1 to 50. The default 3 is the study's top-3.")]
        [System.ComponentModel.DataAnnotations.Range(1, 50)]
        int k = 3,
        [Description("The kinds to search among: insight, summary, workflow, trajectory. Default: insight only, the abstract kind that transfers best across domains.")]
        string[]? kinds = null,
        [Description("Source domains to leave out (case does not matter), e.g. the current task's own benchmark or task family, for leave-one-domain-out.")]
        string[]? excludeDomains = null,
        [Description("Only memories owned by these teams (team names).")]
        string[]? teams = null,
        [Description("Only memories that came from runs of these models, e.g. gpt-5-mini, or human for hand-written ones.")]
        string[]? sourceModels = null,
        [Description("Only memories whose abstraction score is at least this, 0 to 1 (the portal's linter: higher means less tied to one codebase).")]
        double? minAbstraction = null,
        [Description("task (the default): the query is compared with the memories as written. plan: the portal's LLM first writes a 3-4 sentence plan for the task (how to approach it, not the solution) and the plan is compared instead, as in the Memory Transfer Learning study; the plan is returned. Needs an LLM configured on the portal.")]
        string? queryMode = null,
        CancellationToken cancellationToken = default) => RunAsync(SearchMemories, async () =>
    {
        var found = await portal.SearchAsync(new SearchBody(query, k, kinds, excludeDomains, teams, sourceModels, minAbstraction, queryMode), cancellationToken);
        var result = new SearchMemoriesResult(
            found.RetrievalId,
            [.. found.Memories.Select(h => new FoundMemory(h.Rank, h.Score, h.Memory.Id, h.Memory.Kind, h.Memory.Title, h.Memory.SourceDomain))],
            found.PromptBlock,
            found.Plan);

        var text = new StringBuilder();
        if (result.Plan is { Length: > 0 } plan)
        {
            text.AppendLine("Plan the search used (written by the portal's model):").AppendLine(plan).AppendLine();
        }

        if (result.Memories.Count == 0)
        {
            text.AppendLine("No approved memory matched this search and its filters.");
        }
        else
        {
            text.AppendLine(result.PromptBlock.TrimEnd()).AppendLine();
            text.AppendLine("Memories returned (rank. score, id, kind, title, source domain):");
            foreach (var m in result.Memories)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{m.Rank}. {m.Score:0.0000}  {m.Id}  {m.Kind}  \"{m.Title}\"  from {m.SourceDomain}");
            }
        }

        text.AppendLine().Append(CultureInfo.InvariantCulture,
            $"retrievalId: {result.RetrievalId}. When the task is done, call {ReportOutcome} with this retrievalId, the outcome (success or failure) and the ids of the memories you used.");
        return Answer(text.ToString(), result);
    });

    [McpServerTool(Name = GetMemory, Title = "Read a memory", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Read one approved memory in full, by the id that search_memories returned: its content, where it came from (source domain, task, model, outcome), its tags and team, when it was approved, and its abstraction score. Only approved memories can be read.")]
    public Task<CallToolResult> GetMemoryAsync(
        [Description("The memory's id (a UUID), as search_memories returned it.")]
        string id,
        CancellationToken cancellationToken = default) => RunAsync(GetMemory, async () =>
    {
        var memory = await portal.GetMemoryAsync(ParseId(id, nameof(id)), cancellationToken);
        string Field(string name) => memory.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.ToString()
            : "";

        var tags = memory.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Array ? string.Join(", ", t.EnumerateArray().Select(x => x.GetString())) : "";
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Memory {Field("id")} ({Field("kind")}, revision {Field("revision")})")
            .AppendLine()
            .AppendLine(Field("text"))
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Source: {Field("sourceDomain")}{(Field("sourceTaskRef") is { Length: > 0 } task ? $" ({task})" : "")}, model {Field("sourceModel")}, outcome {Field("outcome")}")
            .AppendLine(CultureInfo.InvariantCulture, $"Tags: {(tags.Length > 0 ? tags : "none")}")
            .Append(CultureInfo.InvariantCulture, $"Team {Field("team")}; approved {Field("approvedAt")}; abstraction score {Field("abstractionScore")}");
        return Answer(text.ToString(), memory);
    });

    [McpServerTool(Name = SubmitMemory, Title = "Submit a memory for review", Destructive = false, OpenWorld = false, UseStructuredContent = true, OutputSchemaType = typeof(SubmittedMemory))]
    [Description("""
        Submit a new memory: a lesson from the task you just did that could help other tasks. It lands in review: reviewers approve, reject or ask for changes, and it is never returned by search_memories or get_memory before it is approved.
        Prefer kind insight: a short, abstract lesson about procedure (how to verify, iterate, adapt to the environment) with no file names, identifiers, paths or code of one project. The portal scores how abstract a memory is, and reviewers turn down memories tied to one codebase.
        Give only the fields of the chosen kind: insight: title, description, content. summary: taskSummary, outcomeAnalysis. workflow: goal, steps. trajectory: trajectorySteps.
        The key needs the memories:write scope.
        """)]
    public Task<CallToolResult> SubmitMemoryAsync(
        [Description("insight, summary, workflow or trajectory.")]
        string kind,
        [Description("The source domain: the benchmark or task family the lesson came from, e.g. swe-bench, mbpp, or the kind of project (at most 100 characters).")]
        string sourceDomain,
        [Description("The model that did the task, e.g. claude-sonnet-4 (at most 100 characters); human for a hand-written memory.")]
        string sourceModel,
        [Description("insight: a short name for the lesson, at most 120 characters.")]
        string? title = null,
        [Description("insight: the lesson in one sentence, at most 300 characters.")]
        string? description = null,
        [Description("insight: the lesson in one to three sentences, at most 1000 characters.")]
        string? content = null,
        [Description("summary: what the task was, at most 4000 characters.")]
        string? taskSummary = null,
        [Description("summary: how it ended and why, at most 4000 characters.")]
        string? outcomeAnalysis = null,
        [Description("workflow: what the workflow achieves, at most 4000 characters.")]
        string? goal = null,
        [Description("workflow: 1 to 50 steps, each at most 4000 characters.")]
        string[]? steps = null,
        [Description("trajectory: 1 to 50 steps, each an action and (optionally) what it produced, each at most 4000 characters.")]
        TrajectoryStep[]? trajectorySteps = null,
        [Description("The task within the source domain, e.g. an issue or instance id (optional, at most 300 characters).")]
        string? sourceTaskRef = null,
        [Description("How the task ended: success, failure or unknown (the default).")]
        string? outcome = null,
        [Description("Up to 20 tags, each at most 40 characters, e.g. testing, debugging.")]
        string[]? tags = null,
        [Description("The owning team's name. Needed only when you belong to more than one team.")]
        string? team = null,
        CancellationToken cancellationToken = default) => RunAsync(SubmitMemory, async () =>
    {
        if (steps is not null && trajectorySteps is not null)
        {
            throw new McpException("Give steps (for a workflow) or trajectorySteps (for a trajectory), not both.");
        }

        IReadOnlyList<object>? anySteps = trajectorySteps is not null ? [.. trajectorySteps] : steps is not null ? [.. steps] : null;
        var submitted = await portal.SubmitMemoryAsync(new MemoryRecord(
            kind, title, description, content, taskSummary, outcomeAnalysis, goal, anySteps, sourceDomain, sourceTaskRef, sourceModel, outcome, tags, team), cancellationToken);

        var text = string.Create(CultureInfo.InvariantCulture,
            $"Submitted memory {submitted.Id} (revision {submitted.Revision}); its status is {submitted.Status}. It will not be served by {SearchMemories} until a reviewer approves it. " +
            $"The abstraction linter scored it {submitted.AbstractionScore:0.00} (1 is fully abstract) with {submitted.AbstractionFindings} finding(s); reviewers see them.");
        return Answer(text, submitted);
    });

    [McpServerTool(Name = ReportOutcome, Title = "Report a task's outcome", Destructive = false, OpenWorld = false, UseStructuredContent = true, OutputSchemaType = typeof(RecordedFeedback))]
    [Description("Report how the task went after a search_memories call, and which of the memories it returned you actually used. This credits outcomes to memories, so the team learns which ones help. Call it once per search, when the task is finished: a second outcome for the same search is refused. The key needs the feedback:write scope.")]
    public Task<CallToolResult> ReportOutcomeAsync(
        [Description("The retrievalId (a UUID) that search_memories returned.")]
        string retrievalId,
        [Description("success or failure.")]
        string outcome,
        [Description("The ids of the returned memories that you used; leave it out when none helped. Only ids that this search returned are accepted.")]
        string[]? memoryIds = null,
        [Description("What helped or misled, in a sentence or two (optional, at most 2000 characters).")]
        string? note = null,
        CancellationToken cancellationToken = default) => RunAsync(ReportOutcome, async () =>
    {
        var feedback = new FeedbackBody(ParseId(retrievalId, nameof(retrievalId)), outcome, memoryIds?.Select(m => ParseId(m, nameof(memoryIds))).ToList(), note);
        var recorded = await portal.ReportOutcomeAsync(feedback, cancellationToken);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"Recorded {recorded.Outcome} for search {recorded.RetrievalId}, with {recorded.MemoryIds.Count} of its memories marked as used.");
        return Answer(text, recorded);
    });

    /// <summary>
    /// Runs a tool; a refusal (the portal's or this server's) becomes a tool error the agent reads and can act on,
    /// logged as one line rather than as the crash the SDK would report.
    /// </summary>
    private async Task<CallToolResult> RunAsync(string tool, Func<Task<CallToolResult>> call)
    {
        try
        {
            return await call();
        }
        catch (McpException e)
        {
            logger.LogWarning("{Tool} failed: {Reason}", tool, e.Message.ReplaceLineEndings(" "));
            return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = e.Message }] };
        }
    }

    // Ids are taken as strings so that a malformed one gets this message instead of the SDK's generic binding error.
    private static Guid ParseId(string value, string parameter) =>
        Guid.TryParse(value, out var id) ? id : throw new McpException($"{parameter}: '{value}' is not a UUID; use an id exactly as search_memories returned it.");

    private static CallToolResult Answer<T>(string text, T structured) => new()
    {
        Content = [new TextContentBlock { Text = text }],
        StructuredContent = JsonSerializer.SerializeToElement(structured, PortalApi.Json),
    };
}

/// <summary>The structured answer of <c>search_memories</c>.</summary>
public sealed record SearchMemoriesResult(
    [property: Description("Pass it to report_outcome when the task is done.")] Guid RetrievalId,
    [property: Description("The memories, best first.")] IReadOnlyList<FoundMemory> Memories,
    [property: Description("The memories rendered as guidance for a prompt; empty when none matched.")] string PromptBlock,
    [property: Description("For queryMode plan: the plan that was compared with the memories; absent otherwise.")] string? Plan = null);

/// <summary>One memory of a search result; <c>get_memory</c> reads it in full.</summary>
public sealed record FoundMemory(int Rank, double Score, Guid Id, string Kind, string Title, string SourceDomain);
