using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using MtlPortal.Agents;

namespace MtlPortal.Web.Api;

/// <summary>How hard one API key may push: a token bucket per key. Bound from "Api:RateLimit".</summary>
public sealed class ApiRateLimitOptions
{
    public const string Section = "Api:RateLimit";

    /// <summary>Requests a key may make per second, on average.</summary>
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>How many requests a key may make at once after a quiet spell.</summary>
    public int Burst { get; set; } = 100;
}

public static class ApiExtensions
{
    public const string ApiKeyPolicy = "api-key";
    public const string RateLimitPolicy = "per-api-key";

    public static WebApplicationBuilder AddPortalApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddPortalAgentSearch();
        services.AddHealthChecks().AddCheck<MtlPortal.Web.Hosting.SearchLogHealthCheck>(MtlPortal.Web.Hosting.SearchLogHealthCheck.Name);
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyPolicy, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser());

        services.AddOptions<ApiRateLimitOptions>().BindConfiguration(ApiRateLimitOptions.Section);
        services.AddOptions<FailedAuthenticationOptions>().BindConfiguration(FailedAuthenticationOptions.Section);
        services.AddSingleton<FailedAuthenticationThrottle>();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(RateLimitPolicy, context =>
            {
                var settings = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiRateLimitOptions>>().Value;
                var key = context.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value ?? "anonymous";
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, settings.Burst),
                    TokensPerPeriod = Math.Max(1, settings.PermitsPerSecond),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = 429, Title = "Too many requests for this API key.", Detail = $"Retry after {retryAfter} s." },
                });
            };
        });

        services.AddPortalApiDocument();
        return builder;
    }

    public static WebApplication MapApiDocument(this WebApplication app)
    {
        // Readable without a key: it is what a client generator or a developer evaluating the API starts from.
        app.MapOpenApi(ApiDocument.Path).AllowAnonymous();
        return app;
    }

    /// <summary>Lets the endpoint run only for a key that carries <paramref name="scope"/>; otherwise 403 naming it.</summary>
    public static RouteHandlerBuilder RequireScope(this RouteHandlerBuilder endpoint, string scope) =>
        endpoint
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.User.HasClaim(ApiKeyAuthenticationHandler.ScopeClaim, scope)
                    ? await next(context)
                    : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "This API key lacks a scope.", detail: $"The key needs the '{scope}' scope for this endpoint."))
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
}
