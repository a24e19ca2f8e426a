namespace MtlPortal.Web.Api;

/// <summary>
/// The agents' API under <c>/api/v1</c>: retrieval (<see cref="SearchApi"/>), the approved pool and submissions
/// (<see cref="MemoriesApi"/>), reviewing (<see cref="ReviewsApi"/>) and outcomes (<see cref="FeedbackApi"/>). Every
/// endpoint needs an API key with the endpoint's scope; every error is a ProblemDetails; each key is rate-limited.
/// </summary>
public static class AgentApi
{
    /// <summary>
    /// A group under <c>/api/v1</c> with the policies every API endpoint shares, declared once: an API key, the
    /// per-key rate limit, and the tag the OpenAPI document files the resource under.
    /// </summary>
    public static RouteGroupBuilder MapAgentApiGroup(this IEndpointRouteBuilder app, string path = "", string tag = "Agents") =>
        app.MapGroup("/api/v1" + path)
            .RequireAuthorization(ApiExtensions.ApiKeyPolicy)
            .RequireRateLimiting(ApiExtensions.RateLimitPolicy)
            .WithTags(tag);
}

/// <summary>For the OpenAPI document only: the submitted body is one line of the memory JSONL format (docs/memory-jsonl.md).</summary>
public sealed record MemoryRecordDocumentation(
    string Kind, string SourceDomain, string SourceModel, string? Title = null, string? Description = null, string? Content = null,
    string? SourceTaskRef = null, string? Outcome = null, IReadOnlyList<string>? Tags = null, string? Team = null);
