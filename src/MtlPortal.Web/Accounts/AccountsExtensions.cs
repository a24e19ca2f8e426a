using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using MtlPortal.Users;

namespace MtlPortal.Web.Accounts;

public static class AccountsExtensions
{
    public const string LoginPath = "/account/login";

    /// <summary>Cookie sign-in with Identity, the area policies, and first-run setup.</summary>
    public static WebApplicationBuilder AddPortalAccounts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingUserStateProvider>();
        services.AddSingleton<SetupState>();

        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = LoginPath;
            cookie.LogoutPath = "/account/logout";
            cookie.AccessDeniedPath = "/account/access-denied";
            cookie.Cookie.Name = "mtl.auth";
        });

        // Disabling a user or changing their roles updates the security stamp; cookies notice within a minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddPortalUsers().AddSignInManager<PortalSignInManager>();

        services.AddAuthorizationBuilder().AddAreaPolicies();

        return builder;
    }

    public static WebApplication MapAccountEndpoints(this WebApplication app)
    {
        // Sign-out is a form POST, never a link a page could trigger; binding a [FromForm] value makes the
        // antiforgery middleware check the form's token.
        app.MapPost("/account/logout", async (SignInManager<PortalUser> signIn, [FromForm] string? reason) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect(LoginPath);
        }).RequireAuthorization();

        return app;
    }
}
