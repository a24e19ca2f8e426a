using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Settings;
using MtlPortal.Validation;

namespace MtlPortal.IntegrationTests.Memories;

public class MemoryWorkflowTests(MemoryPortal portal) : IClassFixture<MemoryPortal>
{
    private async Task<Memory> MemoryAsync(Guid id)
    {
        await using var db = await portal.DbAsync();
        return await db.Memories.AsNoTracking().Include(m => m.Revisions).ThenInclude(r => r.Reviews).SingleAsync(m => m.Id == id);
    }

    [Fact]
    public async Task SubmitThenApprove_ServesTheApprovedRevisionAndAuditsEachTransition()
    {
        var id = await portal.SubmittedAsync();

        var approved = await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));

        Assert.True(approved.Succeeded, string.Join("; ", approved.Errors));
        var memory = await MemoryAsync(id);
        Assert.Equal(MemoryStatus.Approved, memory.Status);
        Assert.Equal(memory.Revisions.Single().Id, memory.ApprovedRevisionId);
        await using var db = await portal.DbAsync();
        var audit = await db.AuditEntries.Where(e => e.EntityId == id.ToString()).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(["memory.created", "memory.submitted", "memory.approved"], audit.Select(e => e.Action));
        Assert.Equal([portal.Author, portal.Author, portal.Reviewer1], audit.Select(e => e.Actor));
        Assert.Contains("\"from\":\"InReview\",\"to\":\"Approved\"", audit[^1].Details);
    }

    [Fact]
    public async Task Review_OwnMemory_IsRefusedByFourEyesEvenForAReviewer()
    {
        var id = await portal.SubmittedAsync(author: portal.Reviewer1);

        var result = await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));

        Assert.Equal(WriteFailure.Forbidden, result.Failure);
        Assert.Equal("Four eyes: nobody reviews their own memory.", result.Errors[0].Message);
        Assert.Equal(MemoryStatus.InReview, (await MemoryAsync(id)).Status);
    }

    [Fact]
    public async Task Review_ReviewerOfAnotherTeam_DoesNotEvenSeeItButAnAdminMayReview()
    {
        var id = await portal.SubmittedAsync();

        var foreign = await portal.AsAsync(portal.ForeignReviewer, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));
        var admin = await portal.AsAsync(portal.AdminId, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));

        // A memory that was never approved is visible to its own team only.
        Assert.Equal(WriteFailure.NotFound, foreign.Failure);
        Assert.True(admin.Succeeded);
    }

    [Fact]
    public async Task RequestChanges_NeedsAComment_ThenTheAuthorRevisesAndASecondReviewerApproves()
    {
        var id = await portal.SubmittedAsync();

        var silent = await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.RequestChanges, " "));
        var asked = await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.RequestChanges, "Say what to check, not which file."));
        var colleague = await portal.AsAsync(portal.Colleague, (w, a) => w.Authoring.SaveAsync(a, id, MemoryPortal.Insight("Colleague's take"), submit: true));
        var revised = await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, id, MemoryPortal.Insight("Verify with the project's own checks"), submit: true));
        var approved = await portal.AsAsync(portal.Reviewer2, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));

        Assert.Equal(("comment", WriteFailure.Invalid), (silent.Errors[0].Field, silent.Failure));
        Assert.True(asked.Succeeded && revised.Succeeded && approved.Succeeded);
        Assert.Equal(WriteFailure.Forbidden, colleague.Failure);
        var memory = await MemoryAsync(id);
        var revisions = memory.Revisions.OrderBy(r => r.Number).ToList();
        Assert.Equal([RevisionState.ChangesRequested, RevisionState.Approved], revisions.Select(r => r.State));
        Assert.Equal("Verify with the project's own checks", revisions[1].Title);
        Assert.Equal(revisions[1].Id, memory.ApprovedRevisionId);
        Assert.Equal("Say what to check, not which file.", revisions[0].Reviews.Single().Comment);
    }

    [Fact]
    public async Task Reject_IsFinal_TheMemoryCannotBeRevised()
    {
        var id = await portal.SubmittedAsync();

        var rejected = await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Reject, "Only restates the task."));
        var revised = await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, id, MemoryPortal.Insight("Try again"), submit: true));

        Assert.True(rejected.Succeeded);
        Assert.False(revised.Succeeded);
        Assert.Equal(MemoryStatus.Rejected, (await MemoryAsync(id)).Status);
    }

    [Fact]
    public async Task EditingAnApprovedMemory_KeepsServingTheApprovedRevisionUntilTheNewOneIsApproved()
    {
        var id = await portal.SubmittedAsync();
        await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));
        var first = (await MemoryAsync(id)).ApprovedRevisionId;

        var edited = await portal.AsAsync(portal.Colleague, (w, a) => w.Authoring.SaveAsync(a, id, MemoryPortal.Insight("Verify, then verify again"), submit: true));
        var whileInReview = await MemoryAsync(id);
        await portal.AsAsync(portal.Reviewer2, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));
        var after = await MemoryAsync(id);

        Assert.True(edited.Succeeded, string.Join("; ", edited.Errors));
        Assert.Equal(first, whileInReview.ApprovedRevisionId);
        Assert.Equal(MemoryStatus.InReview, whileInReview.Status);
        Assert.Equal(RevisionState.Superseded, after.Revisions.Single(r => r.Id == first).State);
        Assert.Equal(after.Revisions.Single(r => r.Number == 2).Id, after.ApprovedRevisionId);
    }

    [Fact]
    public async Task TwoReviewersActingAtOnce_OneWinsTheOtherGetsAConflictAndNothingOfItIsWritten()
    {
        var id = await portal.SubmittedAsync();
        var version = (await MemoryAsync(id)).Version;

        var results = await Task.WhenAll(
            portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null, version)),
            portal.AsAsync(portal.Reviewer2, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Reject, "Too specific.", version)));

        Assert.Single(results, r => r.Succeeded);
        var loser = Assert.Single(results, r => !r.Succeeded);
        Assert.Equal(WriteFailure.Conflict, loser.Failure);
        Assert.Contains("reload", loser.Errors[0].Message, StringComparison.OrdinalIgnoreCase);
        var memory = await MemoryAsync(id);
        Assert.Single(memory.Revisions.Single().Reviews);
    }

    [Fact]
    public async Task ArchiveAnApprovedMemory_TakesItOutOfThePoolButKeepsIt()
    {
        var id = await portal.SubmittedAsync();
        await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));

        var archived = await portal.AsAsync(portal.Reviewer2, (w, a) => w.Authoring.ArchiveAsync(a, id, "Outdated advice."));
        var again = await portal.AsAsync(portal.Reviewer2, (w, a) => w.Authoring.ArchiveAsync(a, id, null));

        Assert.True(archived.Succeeded);
        Assert.Equal(WriteFailure.Conflict, again.Failure);
        var memory = await MemoryAsync(id);
        Assert.Equal(MemoryStatus.Archived, memory.Status);
        Assert.NotNull(memory.ArchivedAt);
    }

    [Fact]
    public async Task MarkDuplicate_RejectsAndLinksToTheExistingMemory()
    {
        var original = await portal.SubmittedAsync();
        var copy = await portal.SubmittedAsync();

        var result = await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.MarkDuplicateAsync(a, copy, original, null));

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var memory = await MemoryAsync(copy);
        Assert.Equal((MemoryStatus.Rejected, original), (memory.Status, memory.DuplicateOfId));
    }

    [Fact]
    public async Task Superseding_ArchivesTheOldMemoryWhenTheNewOneIsApproved()
    {
        var old = await portal.SubmittedAsync();
        await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, old, ReviewDecision.Approve, null));
        var replacement = await portal.SubmittedAsync(draft: MemoryPortal.Insight("Verify with tests, then iterate"));

        var marked = await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.SetSupersedesAsync(a, replacement, old));
        var stillServed = await MemoryAsync(old);
        await portal.AsAsync(portal.Reviewer2, (w, a) => w.Reviews.DecideAsync(a, replacement, ReviewDecision.Approve, null));

        Assert.True(marked.Succeeded, string.Join("; ", marked.Errors));
        Assert.Null(stillServed.ArchivedAt);
        var archived = await MemoryAsync(old);
        Assert.Equal((MemoryStatus.Archived, replacement), (archived.Status, archived.SupersededById));
    }

    [Fact]
    public async Task Save_InvalidContentAndProvenance_NamesEachFieldAndWritesNothing()
    {
        await using var db = await portal.DbAsync();
        var before = await db.Memories.CountAsync();
        var draft = new MemoryDraft(new InsightContent("", "Fine.", ""), new Provenance("", null, "gpt", SourceOutcome.Success, []));

        var result = await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, null, draft, submit: true));

        Assert.Equal(["title", "content", "sourceDomain"], result.Errors.Select(e => e.Field));
        Assert.Equal(before, await db.Memories.CountAsync());
    }

    [Fact]
    public async Task Save_ContributorOfNoTeamOrAForeignTeam_IsToldWhy()
    {
        var loner = await portal.CreateUserAsync("loner@example.org", "Contributor");
        var alone = await portal.AsAsync(loner, (w, a) => w.Authoring.SaveAsync(a, null, MemoryPortal.Insight(), submit: false));
        var betaTeam = (await portal.ActorAsync(portal.ForeignReviewer)).TeamIds.Single();
        var foreign = await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, null, MemoryPortal.Insight() with { TeamId = betaTeam }, submit: false));

        Assert.Equal("You belong to no team yet; ask an admin to add you to one.", alone.Errors.Single().Message);
        Assert.Equal("You can only write memories for your own teams.", foreign.Errors.Single().Message);
    }

    [Fact]
    public async Task Withdraw_BeforeAnyDecision_ReturnsTheRevisionToDraft()
    {
        var id = await portal.SubmittedAsync();

        var withdrawn = await portal.AsAsync(portal.Author, (w, a) => w.Authoring.WithdrawAsync(a, id));

        Assert.True(withdrawn.Succeeded);
        Assert.Equal(MemoryStatus.Draft, (await MemoryAsync(id)).Status);
    }
}

/// <summary>Settings change the rules for everyone, so these tests get a portal of their own.</summary>
public class ReviewSettingsTests(MemoryPortal portal) : IClassFixture<MemoryPortal>
{
    private async Task SetAsync(ReviewSettings settings)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var saved = await scope.ServiceProvider.GetRequiredService<ReviewSettingsStore>().SaveAsync(settings, portal.AdminId);
        Assert.True(saved.Succeeded);
    }

    [Fact]
    public async Task TwoRequiredApprovals_OneReviewerIsNotEnoughAndCannotApproveTwice()
    {
        await SetAsync(ReviewSettings.Defaults with { RequiredApprovals = 2 });
        var id = await portal.SubmittedAsync();

        var first = await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));
        var twice = await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));
        var afterOne = first.Value!.Status;
        var second = await portal.AsAsync(portal.Reviewer2, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));

        Assert.Equal(MemoryStatus.InReview, afterOne);
        Assert.Equal("You have already approved this revision.", twice.Errors.Single().Message);
        Assert.Equal(MemoryStatus.Approved, second.Value!.Status);
        await SetAsync(ReviewSettings.Defaults);
    }

    [Fact]
    public async Task BlockedLowAbstraction_AnInsightFullOfSpecificsCannotBeSubmittedButCanBeSaved()
    {
        await SetAsync(ReviewSettings.Defaults with { BlockLowAbstractionInsights = true, MinInsightAbstraction = 0.8 });
        var specific = MemoryPortal.Insight(content: "Edit django/db/models/query.py and call QuerySet._fetch_all() before returning. Then run `pytest tests/queries` with --timeout=300.");

        var submitted = await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, null, specific, submit: true));
        var saved = await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, null, specific, submit: false));

        Assert.False(submitted.Succeeded);
        Assert.Contains("abstraction score", submitted.Errors.Single().Message);
        Assert.True(saved.Succeeded);
        Assert.Equal(MemoryStatus.Draft, saved.Value!.Status);
        await SetAsync(ReviewSettings.Defaults);
    }
}

public class DuplicateFinderTests(MemoryPortal portal) : IClassFixture<MemoryPortal>
{
    [Fact]
    public async Task FindAsync_NearCopyOfAnInReviewMemory_IsShownAboveTheThresholdAndUnrelatedIsNot()
    {
        var original = await portal.SubmittedAsync();
        var unrelated = await portal.SubmittedAsync(draft: new MtlPortal.Memories.MemoryDraft(
            new InsightContent("Prefer layout over absolute positioning", "Let the page flow instead of pinning elements.", "Use the layout system the styling framework offers. Positioned elements break when the window changes size."),
            new Provenance("web-design", null, "human", SourceOutcome.Unknown, [])));
        await using var scope = portal.Services.CreateAsyncScope();
        var analyzer = scope.ServiceProvider.GetRequiredService<MemoryAnalyzer>();
        var nearCopy = MemoryPortal.Insight().Content;
        var embedding = await analyzer.EmbedAsync(nearCopy.TextForEmbedding());

        var similar = await scope.ServiceProvider.GetRequiredService<DuplicateFinder>()
            .FindAsync(await portal.ActorAsync(portal.Colleague), embedding, analyzer.EmbeddingModel, excludeMemoryId: null);

        var hit = Assert.Single(similar, s => s.MemoryId == original);
        Assert.True(hit.Similarity >= 0.9);
        Assert.DoesNotContain(similar, s => s.MemoryId == unrelated);

        // Someone outside the team does not learn of a memory that is only in review.
        var outsider = await scope.ServiceProvider.GetRequiredService<DuplicateFinder>()
            .FindAsync(await portal.ActorAsync(portal.ForeignReviewer), embedding, analyzer.EmbeddingModel, excludeMemoryId: null);
        Assert.DoesNotContain(outsider, s => s.MemoryId == original);
    }

    [Fact]
    public async Task FindAsync_NearCopyOfAnApprovedMemory_IsShownFromThePoolAsApproved()
    {
        var draft = MemoryPortal.Insight("Pin the toolchain first", "Check which versions of the tools the project expects before building. A mismatch explains many strange failures.");
        var approved = await portal.SubmittedAsync(draft: draft);
        await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, approved, ReviewDecision.Approve, null));
        await using var scope = portal.Services.CreateAsyncScope();
        var analyzer = scope.ServiceProvider.GetRequiredService<MemoryAnalyzer>();
        var embedding = await analyzer.EmbedAsync(draft.Content.TextForEmbedding());

        // Someone of another team sees approved memories: the pool is shared across teams.
        var similar = await scope.ServiceProvider.GetRequiredService<DuplicateFinder>()
            .FindAsync(await portal.ActorAsync(portal.ForeignReviewer), embedding, analyzer.EmbeddingModel, excludeMemoryId: null);

        var hit = Assert.Single(similar, s => s.MemoryId == approved);
        Assert.Equal((MemoryStatus.Approved, "Pin the toolchain first"), (hit.Status, hit.Title));
        Assert.True(hit.Similarity >= 0.99);
    }

    [Fact]
    public async Task FindAsync_RevisionInReviewOfAnApprovedMemory_IsShownToItsTeamOnly()
    {
        var id = await portal.SubmittedAsync(draft: MemoryPortal.Insight("Reproduce the failure first"));
        Assert.True((await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null))).Succeeded);
        var revised = MemoryPortal.Insight("Unreleased wording of team Alpha");
        var saved = await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, id, revised, submit: true));
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors));
        await using var scope = portal.Services.CreateAsyncScope();
        var analyzer = scope.ServiceProvider.GetRequiredService<MemoryAnalyzer>();
        var embedding = await analyzer.EmbedAsync(revised.Content.TextForEmbedding());
        var finder = scope.ServiceProvider.GetRequiredService<DuplicateFinder>();

        var outsider = await finder.FindAsync(await portal.ActorAsync(portal.ForeignReviewer), embedding, analyzer.EmbeddingModel, excludeMemoryId: null);
        var colleague = await finder.FindAsync(await portal.ActorAsync(portal.Colleague), embedding, analyzer.EmbeddingModel, excludeMemoryId: null);

        // Another team's unreleased revision stays unseen; the approved one is what the pool serves to everyone.
        Assert.DoesNotContain(outsider, s => s.Title == "Unreleased wording of team Alpha");
        Assert.Contains(colleague, s => s.MemoryId == id && s.Title == "Unreleased wording of team Alpha");
    }
}
