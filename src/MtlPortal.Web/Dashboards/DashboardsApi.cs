using System.Text;
using System.Text.Json.Serialization;
using MtlPortal.Agents;
using MtlPortal.Dashboards;
using MtlPortal.Validation;
using MtlPortal.Web.Accounts;
using MtlPortal.Web.Api;

namespace MtlPortal.Web.Dashboards;

/// <summary>A 95% interval as the API writes it.</summary>
public sealed record ApiInterval(double Low, double High)
{
    public static ApiInterval From(Interval interval) => new(Math.Round(interval.Low, 6), Math.Round(interval.High, 6));
}

/// <summary>One condition against the baseline, paired by task.</summary>
public sealed record ApiConditionComparison(
    string Condition,
    int Tasks,
    double PassAtK,
    ApiInterval Ci95,
    double BaselinePassAtK,
    double Delta,
    ApiInterval DeltaCi95,
    [property: JsonPropertyName("mcnemarP")] double McNemarP,
    bool WithinNoise,
    string Verdict,
    IReadOnlyList<string> Improved,
    IReadOnlyList<string> Regressed,
    int Both,
    int Neither);

/// <summary>pass@1 and pass@k of one condition over some tasks.</summary>
public sealed record ApiPassCell(int Tasks, double PassAt1, ApiInterval PassAt1Ci95, double PassAtK, ApiInterval PassAtKCi95)
{
    public static ApiPassCell From(PassCell c) =>
        new(c.Tasks, Math.Round(c.PassAt1, 6), ApiInterval.From(c.PassAt1Ci95), Math.Round(c.PassAtK, 6), ApiInterval.From(c.PassAtKCi95));
}

public sealed record ApiTableRow(Guid RunId, string Condition, IReadOnlyDictionary<string, ApiPassCell> Benchmarks, ApiPassCell Micro, ApiPassCell Macro);

/// <summary>The comparison page's numbers: Table 1, each condition against the baseline, and spending per condition.</summary>
public sealed record ApiComparison(
    Guid RunId,
    Guid BaselineRunId,
    string Baseline,
    int K,
    IReadOnlyList<string> Benchmarks,
    IReadOnlyList<ApiConditionComparison> Conditions,
    IReadOnlyList<ApiTableRow> Table,
    IReadOnlyList<ConditionCost> Costs)
{
    public static ApiComparison From(RunComparison c) => new(
        c.Run.RunId,
        c.BaselineRun.RunId,
        c.BaselineCondition,
        c.K,
        c.Benchmarks,
        [.. c.Paired.Select(p => new ApiConditionComparison(
            p.Condition, p.Tasks, Math.Round(p.PassAtK, 6), ApiInterval.From(p.Ci95), Math.Round(p.BaselinePassAtK, 6), Math.Round(p.Delta, 6),
            ApiInterval.From(p.DeltaCi95), Math.Round(p.McNemarP, 6), p.WithinNoise, p.Verdict, p.ImprovedTasks, p.RegressedTasks, p.Both, p.Neither))],
        [.. c.Table.Select(r => new ApiTableRow(r.RunId, r.Condition, r.Benchmarks.ToDictionary(b => b.Key, b => ApiPassCell.From(b.Value)), ApiPassCell.From(r.Micro), ApiPassCell.From(r.Macro)))],
        c.Costs);
}

/// <summary>
/// Run comparisons and external results under <c>/api/v1/runs</c>: <c>GET {id}/comparison</c> (any key) and
/// <c>POST external</c> (scope <c>runs:write</c>, managers and admins), and <c>GET /api/v1/dashboards/cross-model</c>.
/// </summary>
public static class DashboardsApi
{
    public static IEndpointRouteBuilder MapDashboardsApi(this IEndpointRouteBuilder app)
    {
        var runs = app.MapAgentApiGroup("/runs", "Dashboards");
        runs.MapGet("/{id:guid}/comparison", ComparisonAsync)
            .Produces<ApiComparison>().Produces(200, contentType: "text/csv").ProducesProblem(404).ProducesValidationProblem()
            .WithName("compareRun")
            .WithSummary("Every condition of the run against the baseline condition (default zero-shot) of this run or of run `against`, paired by task: pass@k with its Wilson 95% interval, the difference with a paired bootstrap 95% interval, the exact McNemar p-value and the flipped tasks. format=csv gives one row per condition, format=tasks-csv one per condition × task.");
        runs.MapPost("/external", ImportAsync).RequireScope(ApiScopes.RunsWrite)
            .Accepts<string>("application/x-ndjson")
            .Produces<ExternalImport>(201).ProducesValidationProblem().ProducesProblem(403)
            .WithName("importExternalResults")
            .WithSummary("Import per-attempt outcomes from elsewhere (JSONL, see docs/external-results-jsonl.md) as external runs, one per model; all or nothing, errors by line. `source` names where they come from.");

        app.MapAgentApiGroup("/dashboards", "Dashboards")
            .MapGet("/cross-model", CrossModelAsync).Produces<IReadOnlyList<CrossModelCell>>()
            .WithName("crossModel")
            .WithSummary("Source model × target model: for runs that filtered memories by source model, each memory condition's pass@k difference to zero-shot.");

        // The pages' CSV buttons: the same export, for a signed-in manager (the API needs a key).
        app.MapGet("/dashboards/export/{id:guid}", ExportAsync)
            .RequireAuthorization(PortalAreas.DashboardsPolicy)
            .ExcludeFromDescription();
        return app;
    }

    public static async Task<IResult> ComparisonAsync(Guid id, string? baseline, Guid? against, string? format, RunComparisons comparisons, CancellationToken cancellationToken)
    {
        if (format is not null && format is not ("json" or "csv" or "tasks-csv"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["format is json, csv or tasks-csv."] });
        }

        var result = await comparisons.CompareAsync(id, baseline, against, cancellationToken);
        if (!result.Succeeded)
        {
            return result.Failure == WriteFailure.NotFound
                ? TypedResults.Problem(statusCode: 404, title: result.Errors[0].Message)
                : TypedResults.ValidationProblem(result.ErrorsByField());
        }

        return format switch
        {
            "csv" => TypedResults.Text(ComparisonCsv.Conditions(result.Value!), "text/csv", Encoding.UTF8),
            "tasks-csv" => TypedResults.Text(ComparisonCsv.Tasks(result.Value!), "text/csv", Encoding.UTF8),
            _ => TypedResults.Ok(ApiComparison.From(result.Value!)),
        };
    }

    public static async Task<IResult> ExportAsync(Guid id, string? baseline, Guid? against, string? format, RunComparisons comparisons, CancellationToken cancellationToken)
    {
        var result = await comparisons.CompareAsync(id, baseline, against, cancellationToken);
        if (!result.Succeeded)
        {
            return TypedResults.Problem(statusCode: result.Failure == WriteFailure.NotFound ? 404 : 400, title: result.Errors[0].Message);
        }

        var tasks = format == "tasks-csv";
        var csv = tasks ? ComparisonCsv.Tasks(result.Value!) : ComparisonCsv.Conditions(result.Value!);
        return TypedResults.File(Encoding.UTF8.GetBytes(csv), "text/csv", $"comparison-{id}{(tasks ? "-tasks" : "")}.csv");
    }

    public static async Task<IResult> ImportAsync(HttpContext context, string? source, ExternalResultsImporter importer)
    {
        var result = await importer.ImportAsync(context.Request.Body, source ?? "", context.ApiCaller().Actor, context.RequestAborted);
        return result.Failure switch
        {
            WriteFailure.None => TypedResults.Created($"/api/v1/runs/{result.Value!.Runs[0].RunId}", result.Value),
            WriteFailure.Invalid when result.Value is { Errors.Count: > 0 } failed => TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["file"] = [.. failed.Errors.Select(e => e.ToString())] },
                title: "The file has errors; nothing was imported."),
            _ => ApiResults.Refusal(result),
        };
    }

    public static async Task<IResult> CrossModelAsync(RunComparisons comparisons, CancellationToken cancellationToken) =>
        TypedResults.Ok(await comparisons.CrossModelAsync(cancellationToken));
}
