using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MtlPortal.Users;

namespace MtlPortal.Web.Accounts;

/// <summary>
/// Identity's sign-in, plus the portal's rules: a disabled user may not sign in, and a disabled user's cookie stops
/// validating; and sign-in tells nothing about which accounts exist.
/// </summary>
public sealed class PortalSignInManager(
    UserManager<PortalUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<PortalUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<PortalUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PortalUser> confirmation)
    : SignInManager<PortalUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    // A real hash to check against for unknown accounts, made once with the portal's own hasher and settings.
    private static readonly Lock HashGate = new();
    private static string? _unknownAccountHash;

    public override async Task<bool> CanSignInAsync(PortalUser user) =>
        !user.IsDisabled && await base.CanSignInAsync(user);

    public override async Task<PortalUser?> ValidateSecurityStampAsync(System.Security.Claims.ClaimsPrincipal? principal) =>
        await base.ValidateSecurityStampAsync(principal) is { IsDisabled: false } user ? user : null;

    /// <summary>
    /// An unknown account costs a password hash as a known one does, so the answer's timing does not tell them apart;
    /// a locked-out account gets the answer of a wrong password; "disabled" is said only to someone who knows the password.
    /// </summary>
    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName);
        if (user is null)
        {
            UserManager.PasswordHasher.VerifyHashedPassword(new PortalUser(), UnknownAccountHash(), password);
            return SignInResult.Failed;
        }

        var result = await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
        if (result.IsLockedOut)
        {
            return SignInResult.Failed;
        }

        return result.IsNotAllowed && !await UserManager.CheckPasswordAsync(user, password) ? SignInResult.Failed : result;
    }

    private string UnknownAccountHash()
    {
        lock (HashGate)
        {
            return _unknownAccountHash ??= UserManager.PasswordHasher.HashPassword(new PortalUser(), Guid.NewGuid().ToString());
        }
    }
}
