using MtlPortal.Users;

namespace MtlPortal.Memories;

/// <summary>Who is acting: a signed-in user or an API key acting as its user.</summary>
public sealed record Actor(string UserId, IReadOnlySet<string> Roles, IReadOnlySet<Guid> TeamIds)
{
    public bool IsAdmin => Roles.Contains(PortalRoles.Admin);

    public bool IsReviewer => Roles.Contains(PortalRoles.Reviewer);

    public bool IsContributor => Roles.Contains(PortalRoles.Contributor);

    public bool InTeam(Guid teamId) => TeamIds.Contains(teamId);

    /// <summary>Reviewers review their own teams' submissions; admins review any.</summary>
    public bool ReviewsTeam(Guid teamId) => IsAdmin || (IsReviewer && InTeam(teamId));
}
