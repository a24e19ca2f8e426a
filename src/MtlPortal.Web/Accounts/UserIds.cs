using System.Security.Claims;

namespace MtlPortal.Web.Accounts;

public static class UserIds
{
    /// <summary>The signed-in user's id, as recorded in audit entries and ownership columns.</summary>
    public static string Of(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("No user is signed in.");
}
