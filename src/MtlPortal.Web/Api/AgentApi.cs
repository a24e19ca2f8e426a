namespace MtlPortal.Web.Api;

/// <summary>
/// The agents' API under <c>/api/v1</c>: retrieval (<see cref="SearchApi"/>), the approved pool and submissions
/// (<see cref="MemoriesApi"/>), reviewing (<see cref="ReviewsApi"/>) and outcomes (<see cref="FeedbackApi"/>). Every
/// endpoint needs an API key with the endpoint's scope; every error is a ProblemDetails; each key is rate-limited.
/// </summary>
public static class AgentApi
{
    /// <summary>The <c>/api/v1</c> group with the policies every agent endpoint shares, declared once.</summary>
    public static RouteGroupBuilder MapAgentApiGroup(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/v1")
            .RequireAuthorization(ApiExtensions.ApiKeyPolicy)
            .RequireRateLimiting(ApiExtensions.RateLimitPolicy)
            .WithTags("Agents");
}

/// <summary>For the OpenAPI document only: the submitted body is one line of the memory JSONL format (docs/memory-jsonl.md).</summary>
public sealed record MemoryRecordDocumentation(
    string Kind, string SourceDomain, string SourceModel, string? Title = null, string? Description = null, string? Content = null,
    string? SourceTaskRef = null, string? Outcome = null, IReadOnlyList<string>? Tags = null, string? Team = null);
