using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Auditing;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;
using MtlPortal.Settings;
using MtlPortal.Users;

namespace MtlPortal.IntegrationTests.Transfer;

public class MemoryImporterTests(TransferPortal portal) : IClassFixture<TransferPortal>
{
    private async Task<ImportResult> ImportAsync(string userId, IEnumerable<string> lines, ImportOptions? options = null, IProgress<ImportProgress>? progress = null)
    {
        var actor = await portal.ActorAsync(userId);
        await using var scope = portal.Services.CreateAsyncScope();
        var file = new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", lines)));
        return await scope.ServiceProvider.GetRequiredService<MemoryImporter>().ImportAsync(actor, file, options ?? new ImportOptions("test.jsonl"), progress);
    }

    [Fact]
    public async Task ImportAsync_WritingFailsMidway_LeavesNothingBehind()
    {
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UserAdministration>().CreateTeamAsync("Doomed", AuditTrail.CliActor);
        }

        var before = await portal.MemoryCountAsync();
        // Once everything is checked and embedded, and just before the transaction, the team disappears: the
        // inserts then fail on their foreign key, as any failure midway would.
        var progress = new SyncProgress<ImportProgress>(p =>
        {
            if (p is { Phase: ImportPhase.Saving, Done: 0 })
            {
                using var db = portal.DbAsync().GetAwaiter().GetResult();
                db.Teams.Where(t => t.Name == "Doomed").ExecuteDelete();
            }
        });

        var result = await ImportAsync(portal.AdminId, MemorySamples.Records(50, team: "Doomed").Select(r => r.ToJsonLine()), progress: progress);

        Assert.False(result.Succeeded);
        Assert.StartsWith("Writing the memories failed, so nothing was imported:", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        Assert.Equal(before, await portal.MemoryCountAsync());
        await using var check = await portal.DbAsync();
        Assert.False(await check.AuditEntries.AnyAsync(a => a.Action == "memories.imported" && a.Details!.Contains("test.jsonl")));
    }

    [Fact]
    public async Task ImportAsync_ValidFile_ReportsEachPhaseInOrderUpToItsTotal()
    {
        var progress = new List<ImportProgress>();

        var result = await ImportAsync(portal.Author, [.. MemorySamples.Records(150).Select(r => r.ToJsonLine()), ""], progress: new SyncProgress<ImportProgress>(progress.Add));

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(150, result.Imported);
        Assert.Equal([ImportPhase.Validating, ImportPhase.Embedding, ImportPhase.Saving], progress.Select(p => p.Phase).Distinct());
        Assert.Equal(150, progress.Count(p => p.Phase == ImportPhase.Validating));
        Assert.Equal(new ImportProgress(ImportPhase.Validating, 150, 150), progress.Last(p => p.Phase == ImportPhase.Validating));
        Assert.Equal([64, 128, 150], progress.Where(p => p.Phase == ImportPhase.Embedding).Select(p => p.Done));
        Assert.Equal([new(ImportPhase.Saving, 0, 150), new(ImportPhase.Saving, 150, 150)], progress.Where(p => p.Phase == ImportPhase.Saving));
    }

    [Fact]
    public async Task ImportAsync_ManyBadLines_ListsTheFirstHundredInLineOrderAndCountsThemAll()
    {
        var lines = MemorySamples.Records(300).Select((r, i) => i % 2 == 0 ? r.ToJsonLine() : "{\"kind\":\"insight\"}").ToList();
        var before = await portal.MemoryCountAsync();

        var result = await ImportAsync(portal.Author, lines);

        // Each bad line lacks title, description, content, sourceDomain and sourceModel.
        Assert.Equal(150 * 5, result.ErrorCount);
        Assert.Equal(ImportResult.MaxErrors, result.Errors.Count);
        Assert.Equal(["title", "description", "content", "sourceDomain", "sourceModel"], result.Errors.Take(5).Select(e => e.Field));
        Assert.Equal([2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40], result.Errors.Select(e => e.Line).Distinct());
        Assert.Equal(before, await portal.MemoryCountAsync());
    }

    [Fact]
    public async Task ImportAsync_EmptyFile_SaysItHoldsNoMemories()
    {
        var result = await ImportAsync(portal.Author, ["", "  "]);

        Assert.Equal("The file holds no memories.", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public async Task ImportAsync_LowAbstractionInsightWhileAdminsBlockThem_IsAnErrorOnItsLine()
    {
        var concrete = MemorySamples.Record(
            new InsightContent("Patch django/db/models/query.py", "Edit QuerySet._fetch_all in django/db/models/query.py line 1234.",
                "Run `python tests/runtests.py queries.test_qs_combinators` then change `self._result_cache = list(self._iterable_class(self))` in /usr/src/django/db/models/query.py."),
            new Provenance("swe-bench", "django__django-11099", "gpt-5-mini", SourceOutcome.Success, []), "Alpha").ToJsonLine();
        var lines = new[] { MemorySamples.Records(1, team: "Alpha")[0].ToJsonLine(), concrete };
        var store = portal.Services.GetRequiredService<ReviewSettingsStore>();
        await using var db = await portal.DbAsync();
        await store.SaveAsync(ReviewSettings.Defaults with { BlockLowAbstractionInsights = true }, portal.AdminId);
        try
        {
            var blocked = await ImportAsync(portal.Author, lines);
            var asApproved = await ImportAsync(portal.AdminId, lines, new ImportOptions("test.jsonl", AsApproved: true));

            var error = Assert.Single(blocked.Errors);
            Assert.Equal((2, ""), (error.Line, error.Field));
            Assert.StartsWith("This insight's abstraction score is", error.Message, StringComparison.Ordinal);
            Assert.Equal(2, Assert.Single(asApproved.Errors).Line);
        }
        finally
        {
            await store.SaveAsync(ReviewSettings.Defaults, portal.AdminId);
        }
    }

    [Fact]
    public async Task ImportOfAnExport_RoundTripsContentProvenanceAndTeam()
    {
        var pool = MemorySamples.Records(40, team: "Alpha").Concat(MemorySamples.InterCodeTrajectories().Select(r => r with { Team = "Beta" }));
        var seeded = await portal.CliAsync("import-memories", MemorySamples.WriteFile(portal.Folder, pool, "seed.jsonl"), "--as", PortalFactory.AdminEmail, "--approved");
        Assert.True(seeded.Exit == 0, seeded.Error);
        var exportPath = Path.Combine(portal.Folder, "round-trip.jsonl");
        var exported = await portal.CliAsync("export-memories", exportPath);
        Assert.True(exported.Exit == 0, exported.Error);

        var imported = await portal.CliAsync("import-memories", exportPath, "--as", PortalFactory.AdminEmail);

        Assert.True(imported.Exit == 0, imported.Error);
        var exportedLines = File.ReadAllLines(exportPath)
            .Select(l => MemoryRecord.Parse(l).Record! with { Id = null, Revision = null, ApprovedAt = null, AbstractionScore = null })
            .Select(r => r.ToJsonLine())
            .Order(StringComparer.Ordinal)
            .ToList();
        await using var db = await portal.DbAsync();
        var inReview = await db.Memories.Where(m => m.AuthorId == portal.AdminId && m.Status == MemoryStatus.InReview)
            .Select(m => new { Revision = m.Revisions.Single(), Team = m.Team!.Name })
            .ToListAsync();
        var importedLines = inReview.Select(x => new MemoryRecord(x.Revision.Content, x.Revision.Provenance, x.Team).ToJsonLine()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(40 + 54, exportedLines.Count);
        Assert.Equal(exportedLines, importedLines);
    }
}
