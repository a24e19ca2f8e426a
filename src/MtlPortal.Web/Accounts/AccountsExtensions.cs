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

        // Signing out, disabling a user or changing their roles updates the security stamp; every request checks it,
        // so a cookie kept after sign-out is refused at once. Pages are one request per visit (the circuit does the
        // rest), so this costs one user lookup per page, not per click.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);

        // Identity itself is registered once, with the portal's services (AddPortalCore); the web host adds sign-in.
        new IdentityBuilder(typeof(PortalUser), typeof(IdentityRole), services).AddSignInManager<PortalSignInManager>();

        services.AddAuthorizationBuilder().AddAreaPolicies();

        return builder;
    }

    public static WebApplication MapAccountEndpoints(this WebApplication app)
    {
        // Sign-out is a form POST, never a link a page could trigger; binding a [FromForm] value makes the
        // antiforgery middleware check the form's token.
        app.MapPost("/account/logout", async (HttpContext context, SignInManager<PortalUser> signIn, UserManager<PortalUser> users, [FromForm] string? reason) =>
        {
            // A new security stamp ends every copy of this session's cookie, not only the browser's own.
            if (await users.GetUserAsync(context.User) is { } user)
            {
                await users.UpdateSecurityStampAsync(user);
            }

            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect(LoginPath);
        }).RequireAuthorization();

        return app;
    }
}
