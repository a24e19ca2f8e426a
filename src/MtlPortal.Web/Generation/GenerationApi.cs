using System.Text;
using System.Text.Json;
using MtlPortal.Agents;
using MtlPortal.Generation;
using MtlPortal.Trajectories;
using MtlPortal.Validation;
using MtlPortal.Web.Api;

namespace MtlPortal.Web.Generation;

/// <summary>Where the memories of <c>POST /api/v1/generations</c> come from: a finished run, or imported trajectories.</summary>
public sealed record GenerationSource(Guid? RunId = null, IReadOnlyList<Guid>? TrajectoryIds = null);

/// <summary>A generation job as <c>POST /api/v1/generations</c> takes it.</summary>
public sealed record GenerationBody(GenerationSource? Source, IReadOnlyList<string>? Kinds = null, GenerationOutcomes? Outcomes = null, string? Team = null, string? Model = null)
{
    public GenerationRequest ToRequest() =>
        new(Source?.RunId, Source?.TrajectoryIds, Kinds, Outcomes ?? GenerationOutcomes.All, Team, Model);
}

/// <summary>A generation job's state and progress, as the API and the CLI show it.</summary>
public sealed record GenerationView(
    Guid Id, string Status, string? StatusReason, IReadOnlyList<string> Kinds, string Outcomes, Guid? RunId, int Trajectories, int TrajectoriesDone,
    int TrajectoriesSkipped, int PlannedCalls, int CallsDone, int MemoriesCreated, IReadOnlyList<GenerationProblem> Problems,
    long TokensIn, long TokensOut, decimal? Cost, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static GenerationView Of(GenerationJob job) => new(
        job.Id, job.Status.ToString().ToLowerInvariant(), job.StatusReason, job.Kinds, job.Outcomes.ToString().ToLowerInvariant(), job.RunId,
        job.TrajectoryIds.Count, job.TrajectoriesDone, job.TrajectoriesSkipped, job.PlannedCalls, job.CallsDone, job.MemoriesCreated,
        JsonSerializer.Deserialize<List<GenerationProblem>>(job.Problems, Json) ?? [], job.TokensIn, job.TokensOut, job.Cost, job.CreatedAt, job.FinishedAt);
}

/// <summary>What <c>POST /api/v1/trajectories</c> answers.</summary>
public sealed record TrajectoryImportResponse(int Count, IReadOnlyList<Guid> Ids);

/// <summary>
/// Trajectories and memory generation under <c>/api/v1</c>: import trajectories (a file's text in any supported
/// format, JSONL by default), start a generation job, follow and cancel it. Writing needs <c>memories:write</c>.
/// </summary>
public static class GenerationApi
{
    /// <summary>The largest trajectory file the API takes (10 MiB); the CLI reads larger ones.</summary>
    public const int MaxTrajectoryBytes = 10 * 1024 * 1024;

    public static IEndpointRouteBuilder MapGenerationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapAgentApiGroup(tag: "Generation");

        api.MapPost("/trajectories", ImportAsync).RequireScope(ApiScopes.MemoriesWrite).Accepts<string>("application/x-ndjson")
            .Produces<TrajectoryImportResponse>(201).ProducesValidationProblem()
            .WithName("importTrajectories")
            .WithSummary("Import trajectories: a JSONL body (docs/trajectory-jsonl.md), or a file of another format with ?format=swe-agent|atif|mini-swe-agent|openhands|intercode; ?domain= for records that name none. Any invalid record imports nothing; errors are by record.");
        api.MapPost("/generations", StartAsync).RequireScope(ApiScopes.MemoriesWrite).Accepts<GenerationBody>("application/json")
            .Produces<GenerationView>(202).ProducesValidationProblem()
            .WithName("startGeneration")
            .WithSummary("Generate memories from a run's attempts or from trajectories, into a team's review queue: a job with progress.");
        api.MapGet("/generations/{id:guid}", GetAsync).Produces<GenerationView>().ProducesProblem(404)
            .WithName("getGeneration")
            .WithSummary("A generation job: status, progress (calls, memories created, trajectories done) and the outputs that were refused, with why.");
        api.MapPost("/generations/{id:guid}/cancel", CancelAsync).RequireScope(ApiScopes.MemoriesWrite).Produces<GenerationView>().ProducesProblem(404).ProducesProblem(409)
            .WithName("cancelGeneration")
            .WithSummary("Cancel a generation job: no new model call starts; memories made so far stay in review.");
        return app;
    }

    public static async Task<IResult> ImportAsync(HttpContext context, string? format, string? domain, string? model, string? name, TrajectoryImporter importer)
    {
        var parsedFormat = TrajectoryFormat.Jsonl;
        if (format is not null && !TrajectoryFormats.TryParse(format, out parsedFormat))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = [$"format is one of {string.Join(", ", TrajectoryFormats.Names)}."] });
        }

        var (text, problem) = await ReadBodyAsync(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var result = await importer.ImportAsync(context.ApiCaller().Actor,
            new TrajectoryImportRequest(parsedFormat, text!, string.IsNullOrWhiteSpace(name) ? "API request" : name.Trim(), domain, model), cancellationToken: context.RequestAborted);
        if (result.Forbidden)
        {
            return TypedResults.Problem(statusCode: 403, title: result.Errors[0].Message);
        }

        return result.Succeeded
            ? TypedResults.Created("/api/v1/trajectories", new TrajectoryImportResponse(result.TrajectoryIds.Count, result.TrajectoryIds))
            : TypedResults.ValidationProblem(result.Errors.GroupBy(e => e.Record).ToDictionary(g => g.Key, g => g.Select(e => e.Field.Length == 0 ? e.Message : $"{e.Field}: {e.Message}").ToArray()),
                title: "Nothing was imported: some records are invalid.");
    }

    public static async Task<IResult> StartAsync(HttpContext context, GenerationLauncher launcher)
    {
        var (body, problem) = await ApiJson.ReadAsync<GenerationBody>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var result = await launcher.StartAsync(body!.ToRequest(), context.ApiCaller().Actor, context.RequestAborted);
        return result.Succeeded
            ? TypedResults.Accepted($"/api/v1/generations/{result.Value!.Id}", GenerationView.Of(result.Value))
            : ApiResults.Refusal(result);
    }

    public static async Task<IResult> GetAsync(Guid id, GenerationLauncher launcher, CancellationToken cancellationToken) =>
        await launcher.GetAsync(id, cancellationToken) is { } job
            ? TypedResults.Ok(GenerationView.Of(job))
            : TypedResults.Problem(statusCode: 404, title: "There is no generation job with this id.");

    public static async Task<IResult> CancelAsync(Guid id, HttpContext context, GenerationLauncher launcher)
    {
        var result = await launcher.CancelAsync(id, context.ApiCaller().Actor, context.RequestAborted);
        return result.Succeeded ? TypedResults.Ok(GenerationView.Of(result.Value!)) : ApiResults.Refusal(result);
    }


    private static async Task<(string? Text, IResult? Problem)> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxTrajectoryBytes)
        {
            return (null, TooLarge());
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxTrajectoryBytes)
            {
                return (null, TooLarge());
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { [""] = ["The request needs a body: the trajectories."] }));
        }

        try
        {
            return (new UTF8Encoding(false, true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { [""] = ["The body is not valid UTF-8."] }));
        }
    }

    private static IResult TooLarge() =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.", detail: $"Trajectory files are limited to {MaxTrajectoryBytes / (1024 * 1024)} MB here; import larger ones with the CLI.");
}
