using MtlPortal.Memories;
using MtlPortal.Users;

namespace MtlPortal.UnitTests.Memories;

public class MemoryLifecycleTests
{
    private static readonly Guid Team = Guid.NewGuid();
    private static readonly Guid OtherTeam = Guid.NewGuid();

    private static readonly Actor Author = new("author", new HashSet<string> { PortalRoles.Contributor }, new HashSet<Guid> { Team });
    private static readonly Actor TeamReviewer = new("reviewer", new HashSet<string> { PortalRoles.Reviewer }, new HashSet<Guid> { Team });
    private static readonly Actor SecondReviewer = new("reviewer2", new HashSet<string> { PortalRoles.Reviewer }, new HashSet<Guid> { Team });
    private static readonly Actor ForeignReviewer = new("foreign", new HashSet<string> { PortalRoles.Reviewer }, new HashSet<Guid> { OtherTeam });
    private static readonly Actor Admin = new("admin", new HashSet<string> { PortalRoles.Admin }, new HashSet<Guid>());
    private static readonly Actor TeamContributor = new("colleague", new HashSet<string> { PortalRoles.Contributor }, new HashSet<Guid> { Team });

    private static LifecycleFacts Facts(RevisionState state, bool archived = false, bool approved = false, bool latest = true, params string[] approvedBy) =>
        new("author", Team, archived, approved, "author", state, latest, approvedBy);

    [Fact]
    public void CanEditDraft_OnlyTheAuthorWhileDraft()
    {
        Assert.True(MemoryLifecycle.CanEditDraft(Author, Facts(RevisionState.Draft)).Allowed);
        Assert.False(MemoryLifecycle.CanEditDraft(TeamReviewer, Facts(RevisionState.Draft)).Allowed);
        Assert.Equal("Only a draft can be changed; submitted revisions are frozen.", MemoryLifecycle.CanEditDraft(Author, Facts(RevisionState.InReview)).Reason);
    }

    [Theory]
    [InlineData(ReviewDecision.Approve, null)]
    [InlineData(ReviewDecision.RequestChanges, "Name the kind of file, not the file.")]
    [InlineData(ReviewDecision.Reject, "Too specific to one repository.")]
    public void CanReview_TeamReviewerOnARevisionInReview_IsAllowed(ReviewDecision decision, string? comment) =>
        Assert.True(MemoryLifecycle.CanReview(TeamReviewer, Facts(RevisionState.InReview), decision, comment).Allowed);

    [Fact]
    public void CanReview_AuthorWhoIsAlsoAReviewer_IsRefusedByFourEyes()
    {
        var authorReviewer = Author with { Roles = new HashSet<string> { PortalRoles.Contributor, PortalRoles.Reviewer, PortalRoles.Admin } };

        var permission = MemoryLifecycle.CanReview(authorReviewer, Facts(RevisionState.InReview), ReviewDecision.Approve, null);

        Assert.Equal(Permission.No("Four eyes: nobody reviews their own memory."), permission);
    }

    [Fact]
    public void CanReview_ReviewerOfAnotherTeam_IsRefusedButAnAdminMayReviewAnyTeam()
    {
        Assert.False(MemoryLifecycle.CanReview(ForeignReviewer, Facts(RevisionState.InReview), ReviewDecision.Approve, null).Allowed);
        Assert.True(MemoryLifecycle.CanReview(Admin, Facts(RevisionState.InReview), ReviewDecision.Approve, null).Allowed);
    }

    [Theory]
    [InlineData(ReviewDecision.Reject)]
    [InlineData(ReviewDecision.RequestChanges)]
    public void CanReview_RejectOrRequestChangesWithoutComment_AsksForOne(ReviewDecision decision)
    {
        var permission = MemoryLifecycle.CanReview(TeamReviewer, Facts(RevisionState.InReview), decision, "  ");

        Assert.False(permission.Allowed);
        Assert.Contains("a comment is required", permission.Reason);
    }

    [Fact]
    public void CanReview_SameReviewerApprovingTwice_IsRefused()
    {
        var facts = Facts(RevisionState.InReview, approvedBy: "reviewer");

        Assert.False(MemoryLifecycle.CanReview(TeamReviewer, facts, ReviewDecision.Approve, null).Allowed);
        Assert.True(MemoryLifecycle.CanReview(SecondReviewer, facts, ReviewDecision.Approve, null).Allowed);
    }

    [Theory]
    [InlineData(RevisionState.Draft)]
    [InlineData(RevisionState.Approved)]
    [InlineData(RevisionState.Rejected)]
    [InlineData(RevisionState.ChangesRequested)]
    [InlineData(RevisionState.Superseded)]
    public void CanReview_RevisionNotInReview_IsRefused(RevisionState state) =>
        Assert.False(MemoryLifecycle.CanReview(TeamReviewer, Facts(state), ReviewDecision.Approve, null).Allowed);

    [Fact]
    public void CanReview_ArchivedMemory_IsRefused() =>
        Assert.False(MemoryLifecycle.CanReview(TeamReviewer, Facts(RevisionState.InReview, archived: true), ReviewDecision.Approve, null).Allowed);

    [Theory]
    [InlineData(1, 1, RevisionState.Approved)]
    [InlineData(1, 2, RevisionState.InReview)]
    [InlineData(2, 2, RevisionState.Approved)]
    [InlineData(1, 0, RevisionState.Approved)]
    public void After_Approve_NeedsTheConfiguredNumberOfApprovals(int approvals, int required, RevisionState expected) =>
        Assert.Equal(expected, MemoryLifecycle.After(ReviewDecision.Approve, approvals, required));

    [Fact]
    public void CanRevise_ChangesRequested_OnlyTheAuthor()
    {
        Assert.True(MemoryLifecycle.CanRevise(Author, Facts(RevisionState.ChangesRequested)).Allowed);
        Assert.False(MemoryLifecycle.CanRevise(TeamContributor, Facts(RevisionState.ChangesRequested)).Allowed);
    }

    [Fact]
    public void CanRevise_Approved_AuthorTeamContributorOrAdmin()
    {
        var approved = Facts(RevisionState.Approved, approved: true);

        Assert.True(MemoryLifecycle.CanRevise(Author, approved).Allowed);
        Assert.True(MemoryLifecycle.CanRevise(TeamContributor, approved).Allowed);
        Assert.True(MemoryLifecycle.CanRevise(Admin, approved).Allowed);
        Assert.False(MemoryLifecycle.CanRevise(ForeignReviewer, approved).Allowed);
    }

    [Theory]
    [InlineData(RevisionState.Rejected)]
    [InlineData(RevisionState.Draft)]
    [InlineData(RevisionState.InReview)]
    public void CanRevise_RejectedOrAlreadyOpen_IsRefused(RevisionState state) =>
        Assert.False(MemoryLifecycle.CanRevise(Author, Facts(state)).Allowed);

    [Fact]
    public void CanArchive_OnlyApprovedMemories_ByTeamReviewersAdminsOrTheAuthor()
    {
        var approved = Facts(RevisionState.Approved, approved: true);

        Assert.True(MemoryLifecycle.CanArchive(TeamReviewer, approved).Allowed);
        Assert.True(MemoryLifecycle.CanArchive(Author, approved).Allowed);
        Assert.False(MemoryLifecycle.CanArchive(ForeignReviewer, approved).Allowed);
        Assert.False(MemoryLifecycle.CanArchive(TeamReviewer, Facts(RevisionState.InReview)).Allowed);
        Assert.False(MemoryLifecycle.CanArchive(TeamReviewer, Facts(RevisionState.Approved, archived: true, approved: true)).Allowed);
    }

    [Fact]
    public void CanWithdraw_AuthorBeforeAnyApproval()
    {
        Assert.True(MemoryLifecycle.CanWithdraw(Author, Facts(RevisionState.InReview), anyDecision: false).Allowed);
        Assert.False(MemoryLifecycle.CanWithdraw(Author, Facts(RevisionState.InReview), anyDecision: true).Allowed);
        Assert.False(MemoryLifecycle.CanWithdraw(TeamReviewer, Facts(RevisionState.InReview), anyDecision: false).Allowed);
    }

    [Theory]
    [InlineData(RevisionState.Draft, false, MemoryStatus.Draft)]
    [InlineData(RevisionState.InReview, false, MemoryStatus.InReview)]
    [InlineData(RevisionState.ChangesRequested, false, MemoryStatus.ChangesRequested)]
    [InlineData(RevisionState.Approved, false, MemoryStatus.Approved)]
    [InlineData(RevisionState.Rejected, false, MemoryStatus.Rejected)]
    [InlineData(RevisionState.Approved, true, MemoryStatus.Archived)]
    public void StatusOf_FollowsTheNewestRevision(RevisionState latest, bool archived, MemoryStatus expected) =>
        Assert.Equal(expected, MemoryLifecycle.StatusOf(latest, archived));
}
