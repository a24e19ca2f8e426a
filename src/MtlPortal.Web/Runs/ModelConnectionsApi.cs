using MtlPortal.Agents;
using MtlPortal.Runs;
using MtlPortal.Web.Api;

namespace MtlPortal.Web.Runs;

/// <summary>A model connection as <c>POST /api/v1/models</c> takes it. The key is write-only.</summary>
public sealed record ModelConnectionBody(
    string? Name, string? Endpoint, string? Model, string? ApiKey = null, decimal? InputPricePerMillion = null, decimal? OutputPricePerMillion = null);

/// <summary>A model connection as it is shown: never its key, only whether it has one.</summary>
public sealed record ApiModelConnection(
    Guid Id, string Name, string Endpoint, string Model, bool HasApiKey, decimal? InputPricePerMillion, decimal? OutputPricePerMillion, DateTimeOffset UpdatedAt)
{
    public static ApiModelConnection From(ModelConnection c) =>
        new(c.Id, c.Name, c.Endpoint, c.Model, c.ProtectedApiKey is not null, c.InputPricePerMillion, c.OutputPricePerMillion, c.UpdatedAt);
}

/// <summary>The models runs may use, under <c>/api/v1/models</c>: anyone with a key lists them; admins add or change one (scope <c>runs:write</c>).</summary>
public static class ModelConnectionsApi
{
    public static IEndpointRouteBuilder MapModelConnectionsApi(this IEndpointRouteBuilder app)
    {
        var models = app.MapAgentApiGroup("/models", "Runs");

        models.MapGet("", ListAsync).Produces<List<ApiModelConnection>>()
            .WithName("listModelConnections")
            .WithSummary("The registered model connections (their keys are never returned).");
        models.MapPost("", SaveAsync).RequireScope(ApiScopes.RunsWrite).Accepts<ModelConnectionBody>("application/json")
            .Produces<ApiModelConnection>().ProducesValidationProblem()
            .WithName("saveModelConnection")
            .WithSummary("Add a model connection, or change the one with this name (admins). Leave apiKey out to keep the stored key; \"\" removes it.");
        return app;
    }

    public static async Task<IResult> ListAsync(ModelConnections connections, CancellationToken cancellationToken) =>
        TypedResults.Ok((await connections.ListAsync(cancellationToken)).Select(ApiModelConnection.From).ToList());

    public static async Task<IResult> SaveAsync(HttpContext context, ModelConnections connections)
    {
        var (body, problem) = await ApiJson.ReadAsync<ModelConnectionBody>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var result = await connections.SaveAsync(
            new ModelConnectionInput(body!.Name ?? "", body.Endpoint ?? "", body.Model ?? "", body.ApiKey, body.InputPricePerMillion, body.OutputPricePerMillion),
            context.ApiCaller().Actor, context.RequestAborted);
        return result.Failure switch
        {
            Validation.WriteFailure.None => TypedResults.Ok(ApiModelConnection.From(result.Value!)),
            _ => ApiResults.Refusal(result),
        };
    }
}
