using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.IntegrationTests.Memories;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;

namespace MtlPortal.IntegrationTests.Transfer;

public class ExportMemoriesTests(TransferPortal portal) : IClassFixture<TransferPortal>
{
    private static MemoryDraft Draft(string title) => MemoryPortal.Insight(title);

    private async Task<Guid> ApprovedAsync(string title)
    {
        var id = await portal.SubmittedAsync(draft: Draft(title));
        var approved = await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));
        return approved.Succeeded ? id : throw new InvalidOperationException(string.Join("; ", approved.Errors));
    }

    private async Task<IReadOnlyList<MemoryRecord>> ExportAsync()
    {
        using var output = new MemoryStream();
        var exporter = portal.Services.GetRequiredService<MemoryExporter>();
        var count = await exporter.ExportAsync(output, portal.Manager);
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n');
        Assert.Equal("", lines[^1]);
        var records = lines[..^1].Select(l =>
        {
            var (record, errors) = MemoryRecord.Parse(l);
            Assert.Empty(errors);
            return record!;
        }).ToList();
        Assert.Equal(count, records.Count);
        return records;
    }

    [Fact]
    public async Task Export_MemoriesInEveryState_WritesOnlyTheApprovedPoolWithTheApprovedRevision()
    {
        var draft = (await portal.AsAsync(portal.Author, (w, a) => w.Authoring.SaveAsync(a, null, Draft("A draft stays private"), submit: false))).Value!.Id;
        var inReview = await portal.SubmittedAsync(draft: Draft("Waiting for a reviewer"));
        var changesRequested = await portal.SubmittedAsync(draft: Draft("Needs another pass"));
        await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, changesRequested, ReviewDecision.RequestChanges, "Say why, not where."));
        var rejected = await portal.SubmittedAsync(draft: Draft("Only restates the task"));
        await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, rejected, ReviewDecision.Reject, "Restates the task."));
        var archived = await ApprovedAsync("Outdated advice");
        await portal.AsAsync(portal.Reviewer2, (w, a) => w.Authoring.ArchiveAsync(a, archived, "Outdated."));
        var approved = await ApprovedAsync("Verify with the project's checks");
        var revisedInReview = await ApprovedAsync("Approved wording");
        var newer = await portal.AsAsync(portal.Colleague, (w, a) => w.Authoring.SaveAsync(a, revisedInReview, Draft("Newer wording still in review"), submit: true));
        Assert.True(newer.Succeeded, string.Join("; ", newer.Errors));
        var revisedRejected = await ApprovedAsync("Approved wording that stays");
        await portal.AsAsync(portal.Colleague, (w, a) => w.Authoring.SaveAsync(a, revisedRejected, Draft("A rejected rewrite"), submit: true));
        await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, revisedRejected, ReviewDecision.Reject, "Worse than before."));

        var records = await ExportAsync();

        var byId = records.ToDictionary(r => r.Id!.Value);
        foreach (var excluded in new[] { draft, inReview, changesRequested, rejected, archived })
        {
            Assert.False(byId.ContainsKey(excluded), $"exported {excluded}");
        }

        Assert.Equal("Verify with the project's checks", ((InsightContent)byId[approved].Content).Title);
        Assert.Equal(("Approved wording", 1), (((InsightContent)byId[revisedInReview].Content).Title, byId[revisedInReview].Revision!.Value));
        Assert.Equal("Approved wording that stays", ((InsightContent)byId[revisedRejected].Content).Title);
        Assert.All(records, r => Assert.Equal("Alpha", r.Team));

        // Every exported line is the approved revision of a memory still in the pool, as the database has it.
        await using var db = await portal.DbAsync();
        var ids = byId.Keys.ToList();
        var pool = await db.Memories.Where(m => ids.Contains(m.Id)).Include(m => m.ApprovedRevision).ToListAsync();
        Assert.Equal(records.Count, pool.Count);
        Assert.All(pool, m =>
        {
            Assert.Null(m.ArchivedAt);
            Assert.Equal(RevisionState.Approved, m.ApprovedRevision!.State);
            Assert.Equal((m.ApprovedRevision.Number, m.ApprovedRevision.DecidedAt, m.ApprovedRevision.AbstractionScore), (byId[m.Id].Revision!.Value, byId[m.Id].ApprovedAt, byId[m.Id].AbstractionScore!.Value));
            Assert.Equal(m.ApprovedRevision.Content, byId[m.Id].Content);
            Assert.Equal(m.ApprovedRevision.Provenance, byId[m.Id].Provenance);
        });
    }

    [Fact]
    public async Task Export_TwiceWithoutChanges_IsByteForByteTheSameAndOrderedById()
    {
        await ApprovedAsync("Deterministic one");
        await ApprovedAsync("Deterministic two");

        var first = await ExportAsync();
        var second = await ExportAsync();

        Assert.Equal(first.Select(r => r.ToJsonLine()), second.Select(r => r.ToJsonLine()));
        await using var db = await portal.DbAsync();
        var ordered = await db.Memories.Where(m => m.ApprovedRevisionId != null && m.ArchivedAt == null).OrderBy(m => m.Id).Select(m => m.Id).ToListAsync();
        Assert.Equal(ordered, first.Select(r => r.Id!.Value));
    }

    [Fact]
    public async Task ExportMemories_FromTheCli_WritesTheFileWithProgressAndAudits()
    {
        await ApprovedAsync("Exported from the CLI");
        var path = Path.Combine(portal.Folder, "pool.jsonl");

        var (exit, output, error) = await portal.CliAsync("export-memories", path);

        Assert.True(exit == 0, error);
        var lines = File.ReadAllLines(path);
        Assert.NotEmpty(lines);
        Assert.Contains($"exported {lines.Length}/{lines.Length}", output);
        Assert.Contains($"Exported {lines.Length} approved memories to {path}.", output);
        Assert.False(File.Exists(path + ".partial"));
        await using var db = await portal.DbAsync();
        var audit = await db.AuditEntries.OrderBy(a => a.Id).LastAsync(a => a.Action == "memories.exported");
        Assert.Equal(("[cli]", $"{{\"count\":{lines.Length}}}"), (audit.Actor, audit.Details));
    }

    [Fact]
    public async Task Export_MoreThanAPage_StreamsEveryMemoryOnce()
    {
        var path = MemorySamples.WriteFile(portal.Folder, MemorySamples.Records(1200, team: "Alpha"), "page.jsonl");
        var (exit, _, error) = await portal.CliAsync("import-memories", path, "--as", PortalFactory.AdminEmail, "--approved");
        Assert.True(exit == 0, error);
        var progress = new List<ExportProgress>();

        using var output = new MemoryStream();
        var count = await portal.Services.GetRequiredService<MemoryExporter>().ExportAsync(output, portal.Manager, new SyncProgress<ExportProgress>(progress.Add));

        var ids = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => MemoryRecord.Parse(l).Record!.Id!.Value).ToList();
        Assert.True(count >= 1200);
        Assert.Equal(count, ids.Distinct().Count());
        Assert.Equal(count, ids.Count);
        Assert.Equal(new ExportProgress(0, count), progress[0]);
        Assert.Equal(new ExportProgress(count, count), progress[^1]);
        Assert.True(progress.Count >= 4, "one report per page of 500, and one at the start");
    }
}

/// <summary>Reports on the caller's thread, in order.</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
