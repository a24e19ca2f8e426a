using Microsoft.AspNetCore.Identity;
using MtlPortal.Teams;

namespace MtlPortal.Users;

/// <summary>A person (or an operator account) who signs in to the portal.</summary>
public sealed class PortalUser : IdentityUser
{
    public const int DisplayNameMaxLength = 100;

    public string DisplayName { get; set; } = "";

    /// <summary>A disabled user cannot sign in, and sessions already open are ended at their next validation.</summary>
    public bool IsDisabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<TeamMembership> Memberships { get; set; } = [];
}
