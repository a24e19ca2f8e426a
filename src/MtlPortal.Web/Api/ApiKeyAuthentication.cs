using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using MtlPortal.Agents;

namespace MtlPortal.Web.Api;

/// <summary>
/// Authenticates API requests by key: <c>Authorization: Bearer mtl_…</c> (or <c>X-Api-Key: mtl_…</c>). The caller
/// acts as the key's user; its scopes travel as "scope" claims. Failures answer with ProblemDetails, not a
/// redirect to the sign-in page.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyService keys,
    FailedAuthenticationThrottle throttle,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ScopeClaim = "scope";
    public const string KeyIdClaim = "api_key_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = Request.Headers.Authorization.ToString() is { Length: > 7 } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header[7..].Trim()
            : Request.Headers["X-Api-Key"].ToString().Trim();
        if (secret.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var address = Context.Connection.RemoteIpAddress?.ToString() ?? "";
        if (throttle.RetryAfter(address) is { } wait)
        {
            Context.Items[typeof(FailedAuthenticationThrottle)] = wait;
            return AuthenticateResult.Fail("Too many failed API key checks from this address.");
        }

        if (await keys.AuthenticateAsync(secret, Context.RequestAborted) is not { } caller)
        {
            throttle.RecordFailure(address);
            return AuthenticateResult.Fail("The API key is unknown, revoked or expired, or its user is disabled.");
        }

        Context.Items[typeof(ApiCaller)] = caller;
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, caller.UserId),
                new Claim(KeyIdClaim, caller.KeyId.ToString()),
                .. caller.Scopes.Select(s => new Claim(ScopeClaim, s)),
                .. caller.Actor.Roles.Select(r => new Claim(ClaimTypes.Role, r)),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[typeof(FailedAuthenticationThrottle)] is TimeSpan wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails = { Status = 429, Title = "Too many failed API key checks from this address.", Detail = $"Retry after {seconds} s." },
            });
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = 401,
                Title = "An API key is required.",
                Detail = failure ?? "Send a key as 'Authorization: Bearer mtl_…'. Create one on the portal's API keys page or with './mtl create-api-key'.",
            },
        });
    }
}

public static class ApiCallerExtensions
{
    /// <summary>The authenticated API caller of this request.</summary>
    public static ApiCaller ApiCaller(this HttpContext context) =>
        context.Items[typeof(ApiCaller)] as ApiCaller ?? throw new InvalidOperationException("This request was not authenticated with an API key.");
}
