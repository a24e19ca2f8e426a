using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.IntegrationTests.Memories;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using MtlPortal.Validation;

namespace MtlPortal.IntegrationTests.Retrieval;

public class PoolSearchTests(MemoryPortal portal) : IClassFixture<MemoryPortal>
{
    private static MemoryDraft Titled(string title) => MemoryPortal.Insight(title, $"Whatever the task, {title.ToLowerInvariant()} and check the result with the project's own tests.");

    private async Task<Guid> CreateAsync(string title, bool submit = true) =>
        (await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, null, Titled(title), submit))).Value!.Id;

    private async Task Review(Guid id, ReviewDecision decision, string reviewer)
    {
        var result = await portal.AsAsync(reviewer, (w, a) => w.Reviews.DecideAsync(a, id, decision, decision == ReviewDecision.Approve ? null : "Because."));
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
    }

    [Fact]
    public async Task Search_AcrossEveryState_ReturnsOnlyApprovedMemoriesWithTheirApprovedRevision()
    {
        await CreateAsync("Draft one", submit: false);
        await CreateAsync("In review one");
        var changes = await CreateAsync("Changes requested one");
        await Review(changes, ReviewDecision.RequestChanges, portal.Reviewer1);
        var rejected = await CreateAsync("Rejected one");
        await Review(rejected, ReviewDecision.Reject, portal.Reviewer1);
        var approved = await CreateAsync("Approved one");
        await Review(approved, ReviewDecision.Approve, portal.Reviewer1);
        var archived = await CreateAsync("Archived one");
        await Review(archived, ReviewDecision.Approve, portal.Reviewer1);
        await portal.AsAsync(portal.Reviewer2, (w, a) => w.Authoring.ArchiveAsync(a, archived, "Outdated."));
        var edited = await CreateAsync("Served revision");
        await Review(edited, ReviewDecision.Approve, portal.Reviewer1);
        await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, edited, Titled("Pending revision"), submit: true));

        var search = portal.Services.GetRequiredService<PoolSearch>();
        var listed = await search.SearchAsync(new PoolQuery { Take = 200 });
        var searched = await search.SearchAsync(new PoolQuery { Text = "one revision check the result with tests", Take = 200 });

        foreach (var page in new[] { listed, searched })
        {
            Assert.Equal(["Approved one", "Served revision"], page.Items.Select(i => i.Title).Order());
        }

        Assert.All(searched.Items, i => Assert.True(i.Similarity > 0));
    }

    [Fact]
    public async Task Search_Filters_NarrowByKindDomainAndTag()
    {
        var id = (await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, null, new MemoryDraft(
            new SummaryContent("Repair a date parser that rejected leap days.", "Succeeded: the failing case was reproduced before any change."),
            new Provenance("humaneval-x", null, "gpt-5-mini", SourceOutcome.Success, ["dates"])), submit: true))).Value!.Id;
        await Review(id, ReviewDecision.Approve, portal.Reviewer1);
        var search = portal.Services.GetRequiredService<PoolSearch>();

        var byKind = await search.SearchAsync(new PoolQuery { Kinds = [MemoryKind.Summary] });
        var byDomainAndTag = await search.SearchAsync(new PoolQuery { Domains = ["humaneval-x"], Tags = ["DATES"] });
        var wrongTag = await search.SearchAsync(new PoolQuery { Domains = ["humaneval-x"], Tags = ["css"] });

        Assert.Equal([id], byKind.Items.Select(i => i.Id));
        Assert.Equal([id], byDomainAndTag.Items.Select(i => i.Id));
        Assert.Empty(wrongTag.Items);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(nameof(PoolItem.Kind))]
    public async Task Paging_WithoutAQuery_ShowsEveryApprovedMemoryExactlyOnce(string? sortBy)
    {
        // Approved one by one around an import that approves 46 at one instant: the newest-first order ties on
        // all of those, and the kind order on nearly every memory.
        foreach (var i in Enumerable.Range(1, 3))
        {
            await Review(await CreateAsync($"Approved before the import {sortBy} {i}"), ReviewDecision.Approve, portal.Reviewer1);
        }

        await using (var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            var team = await db.Teams.Where(t => t.Name == "Alpha").Select(t => t.Id).SingleAsync();
            var imported = await portal.AsAsync<IReadOnlyList<Guid>>(portal.AdminId, async (w, a) =>
            {
                var batch = await w.Batch.CreateManyAsync(a, [.. Enumerable.Range(1, 46).Select(i => new NewMemory(Titled($"Paged memory {sortBy} {i}") with { TeamId = team }, $"line {i}"))], approve: true, "paging test");
                return batch.Succeeded ? WriteResult<IReadOnlyList<Guid>>.Ok(batch.MemoryIds) : WriteResult<IReadOnlyList<Guid>>.Fail("", string.Join("; ", batch.Errors));
            });
            Assert.True(imported.Succeeded, string.Join("; ", imported.Errors));
        }

        foreach (var i in Enumerable.Range(1, 3))
        {
            await Review(await CreateAsync($"Approved after the import {sortBy} {i}"), ReviewDecision.Approve, portal.Reviewer1);
        }

        var search = portal.Services.GetRequiredService<PoolSearch>();
        var first = await search.SearchAsync(new PoolQuery { SortBy = sortBy, Take = 20 });
        var seen = new List<Guid>(first.Items.Select(i => i.Id));
        for (var skip = 20; skip < first.Total; skip += 20)
        {
            seen.AddRange((await search.SearchAsync(new PoolQuery { SortBy = sortBy, Skip = skip, Take = 20 })).Items.Select(i => i.Id));
        }

        Assert.True(first.Total >= 52, $"{first.Total} approved");
        Assert.Equal(first.Total, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }
}

/// <summary>Two portal instances on one database, as behind a load balancer.</summary>
public class SecondInstanceTests(MemoryPortal portal) : IClassFixture<MemoryPortal>
{
    private sealed class SecondInstance(string connectionString) : PortalFactory
    {
        protected override bool SeedAdmin => false;

        public override Task InitializeAsync()
        {
            UseConnectionString(connectionString);
            return base.InitializeAsync();
        }
    }

    private static readonly TimeSpan EffectLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ApprovalThroughOneInstance_IsServedByASecondAndArchivingRemovesIt()
    {
        await using var second = new SecondInstance(portal.ConnectionString);
        await second.InitializeAsync();
        var secondPool = second.Services.GetRequiredService<PoolIndexService>();
        await secondPool.Loaded.WaitAsync(TimeSpan.FromSeconds(10));
        var id = await portal.SubmittedAsync();
        Assert.DoesNotContain(secondPool.Index.Search(await EmbedAsync(), 10, new RetrievalFilter()), h => h.MemoryId == id);

        await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));
        // The change reaches the second instance through LISTEN/NOTIFY; wait for the effect (how fast it arrives is
        // the benchmarks' business), with a limit only so that a lost notification fails instead of hanging.
        var clock = Stopwatch.StartNew();
        while (!secondPool.Index.Search(await EmbedAsync(), 10, new RetrievalFilter()).Any(h => h.MemoryId == id) && clock.Elapsed < EffectLimit)
        {
            await Task.Delay(25);
        }

        Assert.Contains(secondPool.Index.Search(await EmbedAsync(), 10, new RetrievalFilter()), h => h.MemoryId == id);

        // Archiving through the first instance takes it out of the second's pool too.
        await portal.AsAsync(portal.Reviewer2, (w, a) => w.Authoring.ArchiveAsync(a, id, null));
        clock.Restart();
        while (secondPool.Index.Search(await EmbedAsync(), 10, new RetrievalFilter()).Any(h => h.MemoryId == id) && clock.Elapsed < EffectLimit)
        {
            await Task.Delay(25);
        }

        Assert.DoesNotContain(secondPool.Index.Search(await EmbedAsync(), 10, new RetrievalFilter()), h => h.MemoryId == id);
    }

    [Fact]
    public async Task ApprovalThroughOneInstance_IsReturnedByTheSecondInstancesSearchApi()
    {
        await using var second = new SecondInstance(portal.ConnectionString);
        await second.InitializeAsync();
        var created = await second.Services.GetRequiredService<MtlPortal.Agents.ApiKeyService>()
            .CreateAsync(portal.Colleague, "second instance", [MtlPortal.Agents.ApiScopes.MemoriesRead], null, "[test]");
        var client = second.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", created.Value!.Secret);
        var id = await portal.SubmittedAsync(draft: MemoryPortal.Insight("Served by the other instance", "Keep each change small and rerun the checks after it. Small steps make the failing one obvious."));

        await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));

        var clock = Stopwatch.StartNew();
        var found = false;
        while (!found && clock.Elapsed < EffectLimit)
        {
            var response = await client.PostAsync("/api/v1/memories/search", new StringContent(
                "{\"query\": \"keep each change small and rerun the checks\", \"k\": 5}", System.Text.Encoding.UTF8, "application/json"));
            found = (await response.Content.ReadAsStringAsync()).Contains(id.ToString(), StringComparison.Ordinal);
            if (!found)
            {
                await Task.Delay(50);
            }
        }

        Assert.True(found, "The second instance did not serve the approval within two seconds.");
    }

    private async Task<float[]> EmbedAsync() =>
        await portal.Services.GetRequiredService<MemoryAnalyzer>().EmbedAsync(MemoryPortal.Insight().Content.TextForEmbedding());
}
