using System.Globalization;
using System.Text;
using System.Text.Json;
using MtlPortal.Agents;
using MtlPortal.Runs;
using MtlPortal.Validation;
using MtlPortal.Web.Api;

namespace MtlPortal.Web.Runs;

/// <summary>A run as <c>POST /api/v1/runs</c> takes it; every field but <c>benchmark</c> is optional.</summary>
public sealed record RunBody(
    string? Benchmark,
    string? Model = null,
    IReadOnlyList<string>? Conditions = null,
    int? Attempts = null,
    int? Limit = null,
    int? Sample = null,
    int? Seed = null,
    RunMode? Mode = null,
    RetrievalQuery? Query = null,
    float? Temperature = null,
    int? MaxOutputTokens = null,
    int? TopN = null,
    int? MaxSteps = null,
    IReadOnlyList<string>? ExcludeDomains = null,
    IReadOnlyList<string>? SourceModels = null,
    IReadOnlyList<string>? Teams = null,
    double? MinAbstraction = null,
    long? MaxTokens = null,
    decimal? MaxCost = null,
    bool? IncludeFailedReferences = null)
{
    public RunRequest ToRequest()
    {
        var defaults = new RunRequest();
        return new RunRequest
        {
            Benchmark = Benchmark ?? "",
            Model = Model,
            Conditions = Conditions,
            Attempts = Attempts ?? defaults.Attempts,
            Limit = Limit,
            Sample = Sample,
            Seed = Seed,
            Mode = Mode ?? defaults.Mode,
            Query = Query ?? defaults.Query,
            Temperature = Temperature,
            MaxOutputTokens = MaxOutputTokens,
            TopN = TopN ?? defaults.TopN,
            MaxSteps = MaxSteps ?? defaults.MaxSteps,
            ExcludeDomains = ExcludeDomains,
            SourceModels = SourceModels,
            Teams = Teams,
            MinAbstraction = MinAbstraction,
            MaxTokens = MaxTokens,
            MaxCost = MaxCost,
            IncludeFailedReferences = IncludeFailedReferences ?? false,
        };
    }
}

/// <summary>
/// Runs under <c>/api/v1/runs</c>: start one (scope <c>runs:write</c>, managers and admins), list, read with
/// per-condition pass@k, export attempts (JSONL or CSV) and cancel. Reading needs any valid key.
/// </summary>
public static class RunsApi
{
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var runs = app.MapAgentApiGroup("/runs", "Runs");

        runs.MapPost("", StartAsync).RequireScope(ApiScopes.RunsWrite).Accepts<RunBody>("application/json")
            .Produces<RunSummary>(201).ProducesValidationProblem()
            .WithName("startRun")
            .WithSummary("Start a run: a benchmark × a model connection × conditions × attempts, with the pool frozen now.");
        runs.MapGet("", ListAsync).Produces<List<RunSummary>>()
            .WithName("listRuns")
            .WithSummary("The latest runs, newest first, with progress and per-condition pass@k.");
        runs.MapGet("/{id:guid}", GetAsync).Produces<RunSummary>().ProducesProblem(404)
            .WithName("getRun")
            .WithSummary("One run: status, progress and per-condition pass@k for every k up to the attempts.");
        runs.MapGet("/{id:guid}/attempts", AttemptsAsync).Produces(200, contentType: "application/x-ndjson").Produces(200, contentType: "text/csv").ProducesProblem(404)
            .WithName("listRunAttempts")
            .WithSummary("Every attempt of a run: JSONL (default; messages, answer, program, output, tool steps) or CSV (format=csv; one row each, no texts).");
        runs.MapPost("/{id:guid}/cancel", CancelAsync).RequireScope(ApiScopes.RunsWrite).Produces<RunSummary>().ProducesProblem(404).ProducesProblem(409)
            .WithName("cancelRun")
            .WithSummary("Cancel a run: no new attempt starts; attempts recorded so far are kept.");
        return app;
    }

    public static async Task<IResult> StartAsync(HttpContext context, RunLauncher launcher, RunReports reports)
    {
        var (body, problem) = await ApiJson.ReadAsync<RunBody>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var result = await launcher.StartAsync(body!.ToRequest(), context.ApiCaller().Actor, context.RequestAborted);
        if (!result.Succeeded)
        {
            return ApiResults.Refusal(result);
        }

        var summary = await reports.GetAsync(result.Value!.Id, context.RequestAborted);
        return TypedResults.Created($"/api/v1/runs/{result.Value.Id}", summary);
    }

    public static async Task<IResult> ListAsync(RunReports reports, CancellationToken cancellationToken) =>
        TypedResults.Ok(await reports.ListAsync(cancellationToken: cancellationToken));

    public static async Task<IResult> GetAsync(Guid id, RunReports reports, CancellationToken cancellationToken) =>
        await reports.GetAsync(id, cancellationToken) is { } summary
            ? TypedResults.Ok(summary)
            : TypedResults.Problem(statusCode: 404, title: "There is no run with this id.");

    public static async Task<IResult> CancelAsync(Guid id, HttpContext context, RunLauncher launcher, RunReports reports)
    {
        var result = await launcher.CancelAsync(id, context.ApiCaller().Actor, context.RequestAborted);
        return result.Succeeded ? TypedResults.Ok(await reports.GetAsync(id, context.RequestAborted)) : ApiResults.Refusal(result);
    }

    public static async Task<IResult> AttemptsAsync(Guid id, string? format, RunReports reports, CancellationToken cancellationToken)
    {
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        if (format is not null && !csv && !string.Equals(format, "jsonl", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["format is jsonl or csv."] });
        }

        var rows = await reports.AttemptsAsync(id, cancellationToken);
        if (rows is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "There is no run with this id.");
        }

        return csv
            ? TypedResults.Text(AttemptExport.Csv(rows), "text/csv", Encoding.UTF8)
            : TypedResults.Text(AttemptExport.Jsonl(rows), "application/x-ndjson", Encoding.UTF8);
    }
}

/// <summary>A run's attempts as files: JSONL with everything, CSV with one line of figures per attempt.</summary>
public static class AttemptExport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Jsonl(IEnumerable<AttemptRow> rows)
    {
        var text = new StringBuilder();
        foreach (var (a, taskId) in rows)
        {
            text.AppendLine(JsonSerializer.Serialize(new
            {
                task = taskId,
                condition = a.Condition,
                attempt = a.AttemptNumber,
                verdict = a.Verdict?.ToString(),
                passed = a.Passed,
                retrievalId = a.RetrievalId,
                memories = JsonDocument.Parse(a.Memories).RootElement,
                memoryUsedRank = a.MemoryUsedRank,
                memoryUsedId = a.MemoryUsedId,
                tokensIn = a.TokensIn,
                tokensOut = a.TokensOut,
                latencyMs = Math.Round(a.LatencyMs, 1),
                cost = a.Cost,
                error = a.Error,
                messages = JsonDocument.Parse(a.Messages).RootElement,
                answer = a.Answer,
                program = a.Program,
                output = a.Output,
                steps = JsonDocument.Parse(a.Steps).RootElement,
            }, Json));
        }

        return text.ToString();
    }

    public static string Csv(IEnumerable<AttemptRow> rows)
    {
        var text = new StringBuilder("task,condition,attempt,verdict,passed,retrievalId,memoryIds,memoryUsedId,tokensIn,tokensOut,latencyMs,cost,error\n");
        foreach (var (a, taskId) in rows)
        {
            var memoryIds = string.Join(' ', JsonDocument.Parse(a.Memories).RootElement.EnumerateArray().Select(m => m.GetProperty("memoryId").GetString()));
            string[] fields =
            [
                taskId, a.Condition, a.AttemptNumber.ToString(CultureInfo.InvariantCulture), a.Verdict?.ToString() ?? "", a.Passed ? "true" : "false",
                a.RetrievalId?.ToString() ?? "", memoryIds, a.MemoryUsedId?.ToString() ?? "",
                a.TokensIn.ToString(CultureInfo.InvariantCulture), a.TokensOut.ToString(CultureInfo.InvariantCulture),
                a.LatencyMs.ToString("0.0", CultureInfo.InvariantCulture), a.Cost?.ToString(CultureInfo.InvariantCulture) ?? "", a.Error ?? "",
            ];
            text.AppendJoin(',', fields.Select(Quote)).Append('\n');
        }

        return text.ToString();
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
