using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Memories;
using MtlPortal.Users;

namespace MtlPortal.IntegrationTests.Memories;

/// <summary>My memories' list, read a page at a time: every memory of the author once, in the order asked for.</summary>
public class MyMemoriesPageQueryTests(MemoryPortal portal) : IClassFixture<MemoryPortal>
{
    [Fact]
    public async Task MinePageAsync_PagingThroughSortedByTitle_ReachesEachOfTheAuthorsMemoriesOnceInOrder()
    {
        var written = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            // Two share a title, so the order must break ties to stay stable across pages.
            var title = i is 2 or 5 ? "Same title" : $"Insight {(char)('G' - i)}";
            written.Add(await portal.SubmittedAsync(draft: MemoryPortal.Insight(title)));
        }

        await portal.SubmittedAsync(author: portal.Colleague);
        var queries = portal.Services.GetRequiredService<MemoryQueries>();
        var author = await portal.ActorAsync(portal.Author);

        var pages = new List<MemorySummaryPage>();
        for (var skip = 0; skip < 7; skip += 3)
        {
            pages.Add(await queries.MinePageAsync(author, nameof(MemorySummary.Title), descending: false, skip, take: 3));
        }

        var listed = pages.SelectMany(p => p.Items).ToList();
        Assert.All(pages, p => Assert.Equal(7, p.Total));
        Assert.Equal([3, 3, 1], pages.Select(p => p.Items.Count));
        Assert.Equal(written.Order(), listed.Select(m => m.Id).Order());
        Assert.Equal(listed.Select(m => m.Title).Order(StringComparer.Ordinal), listed.Select(m => m.Title));
    }

    [Fact]
    public async Task MinePageAsync_WithoutASort_ListsTheMostRecentlyChangedFirst()
    {
        var writer = await portal.CreateUserAsync("recent@example.org", [PortalRoles.Contributor], ["Alpha"]);
        var older = await portal.SubmittedAsync(author: writer);
        var newer = await portal.SubmittedAsync(author: writer);
        var queries = portal.Services.GetRequiredService<MemoryQueries>();

        var page = await queries.MinePageAsync(await portal.ActorAsync(writer), sortBy: null, descending: false, skip: 0, take: 10);

        Assert.Equal([newer, older], page.Items.Select(m => m.Id));
    }
}
