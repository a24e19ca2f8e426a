using MtlPortal.Agents;

namespace MtlPortal.Web.Api;

/// <summary>Outcomes reported after a search: one per search, attributed to the memories used.</summary>
public static class FeedbackApi
{
    public static IEndpointRouteBuilder MapFeedbackApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapAgentApiGroup();
        api.MapPost("/feedback", FeedbackAsync).RequireScope(ApiScopes.FeedbackWrite).Accepts<FeedbackBody>("application/json")
            .Produces<RecordedFeedback>(201).ProducesValidationProblem().ProducesProblem(409)
            .WithName("reportOutcome")
            .WithSummary("Report how a task went after a search, and which returned memories were used. One outcome per search: a second is refused with 409.");
        return app;
    }

    public static async Task<IResult> FeedbackAsync(HttpContext context, FeedbackService feedback)
    {
        var (body, problem) = await ApiJson.ReadAsync<FeedbackBody>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var result = await feedback.RecordAsync(context.ApiCaller(), new FeedbackRequest(body!.RetrievalId, body.Outcome ?? "", body.MemoryIds, body.Note), context.RequestAborted);
        if (!result.Succeeded)
        {
            return ApiResults.Refusal(result);
        }

        var saved = result.Value!;
        return TypedResults.Created($"/api/v1/feedback/{saved.Id}", new RecordedFeedback(saved.Id, saved.RetrievalId, ApiResults.Lower(saved.Outcome), saved.MemoryIds));
    }
}
