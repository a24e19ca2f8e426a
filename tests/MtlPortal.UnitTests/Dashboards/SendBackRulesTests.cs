using MtlPortal.Memories;
using MtlPortal.Users;

namespace MtlPortal.UnitTests.Dashboards;

public class SendBackRulesTests
{
    private static readonly Guid Team = Guid.NewGuid();

    private static readonly Actor TeamReviewer = new("reviewer", new HashSet<string> { PortalRoles.Reviewer }, new HashSet<Guid> { Team });
    private static readonly Actor ForeignReviewer = new("foreign", new HashSet<string> { PortalRoles.Reviewer }, new HashSet<Guid> { Guid.NewGuid() });
    private static readonly Actor Manager = new("manager", new HashSet<string> { PortalRoles.Manager, PortalRoles.Contributor }, new HashSet<Guid> { Team });

    private static LifecycleFacts Served(RevisionState latest = RevisionState.Approved, bool archived = false) =>
        new("author", Team, archived, HasApprovedRevision: true, "author", latest, IsLatest: true, []);

    [Fact]
    public void CanSendBack_TeamReviewerOnAnApprovedMemory_IsAllowed() =>
        Assert.True(MemoryLifecycle.CanSendBack(TeamReviewer, Served()).Allowed);

    [Fact]
    public void CanSendBack_SomeoneWhoDoesNotReviewTheTeam_IsRefused()
    {
        Assert.False(MemoryLifecycle.CanSendBack(ForeignReviewer, Served()).Allowed);
        Assert.False(MemoryLifecycle.CanSendBack(Manager, Served()).Allowed);
    }

    [Fact]
    public void CanSendBack_WhileANewerRevisionIsOpen_IsRefusedAsThatOneIsReviewedAnyway() =>
        Assert.Contains("newer revision", MemoryLifecycle.CanSendBack(TeamReviewer, Served(RevisionState.InReview)).Reason, StringComparison.Ordinal);

    [Fact]
    public void CanSendBack_ArchivedMemory_IsRefused() =>
        Assert.False(MemoryLifecycle.CanSendBack(TeamReviewer, Served(archived: true)).Allowed);
}
