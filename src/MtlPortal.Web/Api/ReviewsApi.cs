using MtlPortal.Agents;
using MtlPortal.Memories;
using MtlPortal.Reviews;

namespace MtlPortal.Web.Api;

/// <summary>Reviewing over the API: the caller's review queue, and a decision on one memory (four eyes, a comment to reject or request changes).</summary>
public static class ReviewsApi
{
    public static IEndpointRouteBuilder MapReviewsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapAgentApiGroup();
        api.MapGet("/reviews/queue", ReviewQueueAsync).RequireScope(ApiScopes.ReviewsWrite).Produces<List<QueueItem>>()
            .WithName("getReviewQueue")
            .WithSummary("Memories waiting for this user's review, oldest first.");
        api.MapPost("/memories/{id:guid}/reviews", ReviewAsync).RequireScope(ApiScopes.ReviewsWrite).Accepts<ReviewBody>("application/json")
            .Produces<ReviewedMemory>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithName("reviewMemory")
            .WithSummary("Approve, reject or request changes (four eyes; a comment is required to reject or request changes).");
        return app;
    }

    public static async Task<IResult> ReviewQueueAsync(HttpContext context, PendingReviews pending) =>
        TypedResults.Ok((await pending.QueueAsync(context.ApiCaller().Actor, new ReviewQueueFilter(), context.RequestAborted))
            .Select(m => new QueueItem(m.Id, ApiResults.Lower(m.Kind), m.Title, m.Team, m.Author, m.SourceDomain, m.SourceModel, Math.Round(m.AbstractionScore, 3), m.SubmittedAt, m.Revision, m.Version))
            .ToList());

    public static async Task<IResult> ReviewAsync(Guid id, HttpContext context, ReviewDecisions reviews)
    {
        var (body, problem) = await ApiJson.ReadAsync<ReviewBody>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        ReviewDecision? decision = body!.Decision?.Trim().ToLowerInvariant() switch
        {
            "approve" => ReviewDecision.Approve,
            "reject" => ReviewDecision.Reject,
            "request_changes" or "request-changes" or "requestchanges" => ReviewDecision.RequestChanges,
            _ => null,
        };
        if (decision is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["decision"] = ["decision is approve, reject or request_changes."] });
        }

        var result = await reviews.DecideAsync(context.ApiCaller().Actor, id, decision.Value, body.Comment, body.ExpectedVersion, context.RequestAborted);
        return result.Succeeded
            ? TypedResults.Ok(new ReviewedMemory(id, ApiResults.Lower(result.Value!.Status), result.Value.Version))
            : ApiResults.Refusal(result);
    }
}
