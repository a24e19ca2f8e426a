using MtlPortal.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Dashboards;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;

namespace MtlPortal.IntegrationTests.Dashboards;

/// <summary>Per-memory impact from a real run, read through Core, the API and the pages.</summary>
[Collection(ImpactScenario.Collection)]
public sealed partial class MemoryImpactTests(ImpactScenario portal)
{
    [Fact]
    public async Task RunWithAHelpfulAndAHarmfulMemory_CountsTasksHelpedAndHurtAgainstZeroShot_MostHarmfulFirst()
    {
        var admin = await AdminAsync();

        var all = await portal.Services.GetRequiredService<ImpactAnalysis>().AllAsync(admin);

        var harmful = Assert.Single(all, m => m.MemoryId == portal.Harmful);
        var helpful = Assert.Single(all, m => m.MemoryId == portal.Helpful);
        Assert.Equal(portal.Harmful, all[0].MemoryId);

        Assert.Equal(2, helpful.Retrieved);
        Assert.Equal(2, helpful.StatedUse);
        Assert.Equal(new Dictionary<string, int> { ["insight"] = 2 }, helpful.Conditions);
        Assert.Equal(new Dictionary<string, int> { ["toy-python"] = 2 }, helpful.Domains);
        Assert.Equal((1, 1, 0), (helpful.PairedTasks, helpful.TasksHelped, helpful.TasksHurt));
        Assert.Equal((1.0, 0.0, 1.0), (helpful.PassRate, helpful.ZeroShotPassRate, helpful.Delta));

        Assert.Equal(2, harmful.Retrieved);
        Assert.Equal(0, harmful.StatedUse);
        Assert.Equal((1, 0, 1), (harmful.PairedTasks, harmful.TasksHelped, harmful.TasksHurt));
        Assert.Equal((0.0, 1.0, -1.0), (harmful.PassRate, harmful.ZeroShotPassRate, harmful.Delta));
        var task = Assert.Single(harmful.Tasks);
        Assert.Equal(("T/1", 2, 0, 2, 2), (task.Task, task.Attempts, task.Passed, task.ZeroShotAttempts, task.ZeroShotPassed));
    }

    [Fact]
    public async Task ImpactApi_ReturnsTheNumbersTheMemoryPageAndTheDashboardShow()
    {
        var client = await portal.KeyClientAsync(portal.Manager, ApiScopes.MemoriesRead);
        var browser = portal.CreateBrowserlikeClient();
        await browser.SignInAsync("manager@example.org");
        var dashboard = await browser.GetStringAsync("/dashboards/impact");

        foreach (var id in new[] { portal.Helpful, portal.Harmful })
        {
            var api = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/memories/{id}/impact")).RootElement;
            var page = await browser.GetStringAsync($"/memories/{id}");

            var retrieved = api.GetProperty("retrieved").GetInt32();
            var helped = api.GetProperty("tasksHelped").GetInt32();
            var hurt = api.GetProperty("tasksHurt").GetInt32();
            Assert.Equal(2, retrieved);
            Assert.Contains($"{retrieved} attempts", Text(page, "impact-retrieved"), StringComparison.Ordinal);
            Assert.Contains($"{api.GetProperty("statedUse").GetInt32()} of {retrieved}", Text(page, "impact-stated-use"), StringComparison.Ordinal);
            Assert.Contains($"{helped} helped", Text(page, "impact-paired"), StringComparison.Ordinal);
            Assert.Contains($"{hurt} hurt", Text(page, "impact-paired"), StringComparison.Ordinal);
            var feedback = api.GetProperty("feedback");
            Assert.StartsWith($"{feedback.GetProperty("success").GetInt32()} success, {feedback.GetProperty("failure").GetInt32()} failure", Text(page, "impact-feedback"), StringComparison.Ordinal);

            var row = DashboardRow(dashboard, id);
            Assert.Equal(helped.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(row, "impact-helped"));
            Assert.StartsWith(hurt.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(row, "impact-hurt"), StringComparison.Ordinal);
        }

        // Sorted by harm: the harmful memory's row comes first.
        Assert.True(dashboard.IndexOf($"memories/{portal.Harmful}", StringComparison.Ordinal) < dashboard.IndexOf($"memories/{portal.Helpful}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImpactApi_UnknownMemory_Is404ProblemAndAKeyWithoutMemoriesRead_Is403()
    {
        var reader = await portal.KeyClientAsync(portal.Manager, ApiScopes.MemoriesRead);
        var missing = await reader.GetAsync($"/api/v1/memories/{Guid.NewGuid()}/impact");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        var runner = await portal.KeyClientAsync(portal.Manager, ApiScopes.RunsWrite);
        Assert.Equal(HttpStatusCode.Forbidden, (await runner.GetAsync($"/api/v1/memories/{portal.Helpful}/impact")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.CreateClient().GetAsync($"/api/v1/memories/{portal.Helpful}/impact")).StatusCode);
    }

    [Fact]
    public async Task AgentFeedback_IsCountedApartFromThePairedEffect()
    {
        var client = await portal.KeyClientAsync(portal.Manager, ApiScopes.MemoriesRead, ApiScopes.FeedbackWrite);
        var before = (await portal.Services.GetRequiredService<ImpactAnalysis>().ForMemoryAsync(await AdminAsync(), portal.Helpful))!;

        var search = await client.PostAsJsonAsync("/api/v1/memories/search", new { query = ImpactScenario.HelpfulText, k = 1, excludeDomains = new[] { "toy-python" } });
        var found = JsonDocument.Parse(await search.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(portal.Helpful, found.GetProperty("memories")[0].GetProperty("memory").GetProperty("id").GetGuid());
        var reported = await client.PostAsJsonAsync("/api/v1/feedback", new { retrievalId = found.GetProperty("retrievalId").GetGuid(), outcome = "failure", memoryIds = new[] { portal.Helpful } });
        Assert.Equal(HttpStatusCode.Created, reported.StatusCode);

        var after = (await portal.Services.GetRequiredService<ImpactAnalysis>().ForMemoryAsync(await AdminAsync(), portal.Helpful))!;
        Assert.Equal(before.Feedback.Failure + 1, after.Feedback.Failure);
        Assert.Equal(before.Feedback.SaidUsedFailure + 1, after.Feedback.SaidUsedFailure);
        Assert.Equal((before.Retrieved, before.TasksHelped, before.TasksHurt), (after.Retrieved, after.TasksHelped, after.TasksHurt));
    }

    [Fact]
    public async Task SendBackToReview_TakesTheMemoryOutOfThePoolIntoReview_AuditedWithTheReason()
    {
        var id = await portal.ApprovedInsightAsync("Prefer small steps", "Make one small change at a time and test it.", "domain-c");
        var admin = await AdminAsync();
        var contributor = await portal.Services.GetRequiredService<ActorDirectory>().GetAsync(
            await portal.CreateUserAsync("contributor.sendback@example.org", [MtlPortal.Users.PortalRoles.Contributor], ["Alpha"]));

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var workflow = MemoryWriters.From(scope.ServiceProvider);
            var noReason = await workflow.Reviews.SendBackToReviewAsync(admin, id, "  ");
            Assert.Equal("comment", Assert.Single(noReason.Errors).Field);
            var notReviewer = await workflow.Reviews.SendBackToReviewAsync(contributor!, id, "It hurts.");
            Assert.Equal(MtlPortal.Validation.WriteFailure.Forbidden, notReviewer.Failure);
        }

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var sent = await MemoryWriters.From(scope.ServiceProvider).Reviews.SendBackToReviewAsync(admin, id, "Runs show it hurts two tasks.");
            Assert.True(sent.Succeeded, string.Join("; ", sent.Errors.Select(e => e.Message)));
        }

        Assert.Null(portal.Services.GetRequiredService<PoolIndexService>().Served(id));
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var memory = await db.Memories.Include(m => m.Revisions).SingleAsync(m => m.Id == id);
        Assert.Equal(MemoryStatus.InReview, memory.Status);
        Assert.Null(memory.ApprovedRevisionId);
        var revisions = memory.Revisions.OrderBy(r => r.Number).ToList();
        Assert.Equal([RevisionState.Superseded, RevisionState.InReview], revisions.Select(r => r.State));
        Assert.Equal(revisions[0].ContentJson, revisions[1].ContentJson);
        Assert.Equal(revisions[0].AuthorId, revisions[1].AuthorId);
        Assert.Contains(await db.MemoryReviews.Where(r => r.MemoryId == id).Select(r => r.Comment).ToListAsync(), c => c != null && c.Contains("Runs show it hurts two tasks.", StringComparison.Ordinal));
        var audit = await db.AuditEntries.SingleAsync(a => a.EntityId == id.ToString() && a.Action == "memory.sent-back-to-review");
        Assert.Equal(portal.AdminId, audit.Actor);

        // Reviewers decide again: approving puts it back in the pool.
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var approved = await MemoryWriters.From(scope.ServiceProvider).Reviews.DecideAsync(admin, id, ReviewDecision.Approve, null);
            Assert.True(approved.Succeeded, string.Join("; ", approved.Errors.Select(e => e.Message)));
        }

        Assert.NotNull(portal.Services.GetRequiredService<PoolIndexService>().Served(id));
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            // Leave the pool as the other tests expect it.
            await MemoryWriters.From(scope.ServiceProvider).Authoring.ArchiveAsync(admin, id, "test done");
        }
    }

    private Task<Actor> AdminAsync() => portal.ActorAsync(portal.AdminId);

    // The text of the first element carrying data-testid="testId", tags stripped and whitespace collapsed.
    internal static string Text(string html, string testId)
    {
        var match = Regex.Match(html, $"data-testid=\"{testId}\"[^>]*>(.*?)</(dd|td|span|div)>", RegexOptions.Singleline);
        Assert.True(match.Success, $"No {testId} on the page.");
        return WhiteSpace().Replace(Tags().Replace(WebUtility.HtmlDecode(match.Groups[1].Value), " "), " ").Trim();
    }

    // The dashboard table's row of one memory.
    private static string DashboardRow(string html, Guid id)
    {
        var at = html.IndexOf($"memories/{id}\" data-testid=\"impact-memory\"", StringComparison.Ordinal);
        Assert.True(at >= 0, $"Memory {id} is not on the dashboard.");
        var end = html.IndexOf("</tr>", at, StringComparison.Ordinal);
        return html[at..end];
    }

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
