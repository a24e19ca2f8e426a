using MtlPortal.Users;

namespace MtlPortal.Teams;

public sealed class TeamMembership
{
    public Guid TeamId { get; set; }

    public Team? Team { get; set; }

    public string UserId { get; set; } = "";

    public PortalUser? User { get; set; }
}
