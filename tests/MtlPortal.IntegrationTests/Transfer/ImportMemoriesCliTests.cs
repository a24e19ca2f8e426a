using Microsoft.EntityFrameworkCore;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;

namespace MtlPortal.IntegrationTests.Transfer;

public class ImportMemoriesCliTests(TransferPortal portal) : IClassFixture<TransferPortal>
{
    private string FileOf(IEnumerable<MemoryRecord> records, string name) => MemorySamples.WriteFile(portal.Folder, records, name);

    private string LinesFile(IEnumerable<string> lines, string name) => MemorySamples.WriteLines(portal.Folder, lines, name);

    [Fact]
    public async Task ImportMemories_ThousandValidLines_ImportsAllInReviewWithProgress()
    {
        var path = FileOf(MemorySamples.Records(1000), "thousand.jsonl");
        var before = await portal.MemoryCountAsync();

        var (exit, output, error) = await portal.CliAsync("import-memories", path, "--as", TransferPortal.AuthorEmail);

        Assert.True(exit == 0, error);
        Assert.Equal("", error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([.. Enumerable.Range(1, 10).Select(i => $"validated {i * 100}/1000")], lines.Where(l => l.StartsWith("validated", StringComparison.Ordinal)));
        Assert.Contains("embedded 1000/1000", lines);
        Assert.Equal(["imported 1000/1000", "Imported 1000 memories (in review) as author@example.org."], lines[^2..]);
        Assert.Equal(before + 1000, await portal.MemoryCountAsync());

        await using var db = await portal.DbAsync();
        var imported = await db.Memories.Where(m => m.AuthorId == portal.Author).Include(m => m.Revisions).OrderByDescending(m => m.CreatedAt).Take(1000).ToListAsync();
        Assert.All(imported, m => Assert.Equal((MemoryStatus.InReview, RevisionState.InReview), (m.Status, m.Revisions.Single().State)));
        Assert.All(imported, m => Assert.NotNull(m.Revisions.Single().Embedding));
        Assert.Equal(1000, imported.Select(m => m.Id).Distinct().Count());
        var ids = imported.Select(m => m.Id.ToString()).ToList();
        var audit = await db.AuditEntries.Where(a => ids.Contains(a.EntityId)).ToListAsync();
        Assert.Equal(1000, audit.Count(a => a.Action == "memory.created"));
        Assert.Equal(1000, audit.Count(a => a.Action == "memory.submitted"));
        Assert.All(audit, a => Assert.Equal(portal.Author, a.Actor));
        Assert.Contains(audit, a => a.Action == "memory.submitted" && a.Details!.Contains("imported from thousand.jsonl line 537", StringComparison.Ordinal));
        var batch = await db.AuditEntries.OrderBy(a => a.Id).LastAsync(a => a.Action == "memories.imported");
        Assert.Equal(portal.Author, batch.Actor);
        Assert.Contains("\"count\":1000", batch.Details);
    }

    [Fact]
    public async Task ImportMemories_OneBadLineAt537_ImportsNothingAndNamesTheLine()
    {
        var lines = MemorySamples.Records(1000).Select(r => r.ToJsonLine()).ToList();
        lines[536] = MemorySamples.Record(
            new InsightContent("Verify the fix", "Run the checks.", ""),
            new Provenance("mbpp", null, "gpt-5-mini", SourceOutcome.Success, []), null).ToJsonLine();
        var path = LinesFile(lines, "bad-537.jsonl");
        var before = await portal.MemoryCountAsync();

        var (exit, output, error) = await portal.CliAsync("import-memories", path, "--as", TransferPortal.AuthorEmail);

        Assert.Equal(1, exit);
        Assert.Equal(before, await portal.MemoryCountAsync());
        Assert.Equal(["line 537: content: The content is required.", "Nothing was imported: 1 error(s)."], error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("validated 1000/1000", output);
        Assert.DoesNotContain("imported", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ImportMemories_MalformedJsonUnknownKindUnknownTeamAndUnknownProperty_EachNamedByLineAndNothingImported()
    {
        var good = MemorySamples.Records(6, team: "Alpha").Select(r => r.ToJsonLine()).ToList();
        var path = LinesFile(
        [
            good[0],
            """{"kind": "insight", "title": "Unclosed", """,
            good[1],
            "",
            """{"kind": "recipe", "goal": "Bake", "sourceDomain": "kitchen", "sourceModel": "human"}""",
            good[2].Replace("\"team\":\"Alpha\"", "\"team\":\"Gamma\"", StringComparison.Ordinal),
            good[3].Replace("\"sourceDomain\"", "\"colour\":\"red\",\"sourceDomain\"", StringComparison.Ordinal),
            good[4],
        ], "many-errors.jsonl");
        var before = await portal.MemoryCountAsync();

        var (exit, _, error) = await portal.CliAsync("import-memories", path, "--as", TransferPortal.AuthorEmail);

        Assert.Equal(1, exit);
        Assert.Equal(before, await portal.MemoryCountAsync());
        var errors = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("line 2: Not valid JSON", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("line 5: kind: Unknown kind \"recipe\"", errors[1], StringComparison.Ordinal);
        Assert.Equal("line 6: team: No team named 'Gamma'.", errors[2]);
        Assert.StartsWith("line 7: colour: Unknown property 'colour'.", errors[3], StringComparison.Ordinal);
        Assert.Equal("Nothing was imported: 4 error(s).", errors[^1]);
        Assert.Equal(5, errors.Length);
    }

    [Fact]
    public async Task ImportMemories_ApprovedByANonAdmin_IsRefusedBeforeReadingTheFile()
    {
        var path = FileOf(MemorySamples.Records(3), "approved-by-author.jsonl");
        var before = await portal.MemoryCountAsync();

        var (exit, output, error) = await portal.CliAsync("import-memories", path, "--as", TransferPortal.AuthorEmail, "--approved");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("error: Only an admin can import memories as approved: they skip review.", error);
        Assert.Equal(before, await portal.MemoryCountAsync());
    }

    [Fact]
    public async Task ImportMemories_AManagerWhoDoesNotWriteMemories_IsRefused()
    {
        var path = FileOf(MemorySamples.Records(2), "by-manager.jsonl");

        var (exit, _, error) = await portal.CliAsync("import-memories", path, "--as", TransferPortal.ManagerEmail);

        Assert.Equal(1, exit);
        Assert.Contains("error: Only contributors write memories.", error);
    }

    [Fact]
    public async Task ImportMemories_ApprovedByAnAdmin_LandsInThePoolWithTheDistinctAuditAction()
    {
        var path = FileOf(MemorySamples.Records(20), "approved.jsonl");

        var (exit, output, error) = await portal.CliAsync("import-memories", path, "--as", PortalFactory.AdminEmail, "--team", "Beta", "--approved");

        Assert.True(exit == 0, error);
        Assert.EndsWith("Imported 20 memories (approved, without review) as admin@example.org.\n", output, StringComparison.Ordinal);
        await using var db = await portal.DbAsync();
        var imported = await db.Memories.Include(m => m.Revisions).Include(m => m.Team).Where(m => m.AuthorId == portal.AdminId).ToListAsync();
        Assert.Equal(20, imported.Count);
        Assert.All(imported, m =>
        {
            var revision = m.Revisions.Single();
            Assert.Equal((MemoryStatus.Approved, RevisionState.Approved, revision.Id, "Beta"), (m.Status, revision.State, m.ApprovedRevisionId!.Value, m.Team!.Name));
            Assert.NotNull(revision.DecidedAt);
        });
        var ids = imported.Select(m => m.Id.ToString()).ToList();
        var audit = await db.AuditEntries.Where(a => ids.Contains(a.EntityId)).ToListAsync();
        Assert.Equal(20, audit.Count(a => a.Action == MemoryBatchImport.ImportedApprovedAction && a.Actor == portal.AdminId));
        Assert.DoesNotContain(audit, a => a.Action is "memory.approved" or "memory.submitted");
        Assert.Contains(await db.AuditEntries.Where(a => a.Action == "memories.imported-approved").ToListAsync(), a => a.Actor == portal.AdminId && a.Details!.Contains("approved.jsonl", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImportMemories_LinesWithoutTeamForAUserOfSeveralTeams_AskForATeamUnlessOneIsGiven()
    {
        var path = FileOf(MemorySamples.Records(3), "no-team.jsonl");

        var refused = await portal.CliAsync("import-memories", path, "--as", TransferPortal.TwoTeamsEmail);
        var unknown = await portal.CliAsync("import-memories", path, "--as", TransferPortal.TwoTeamsEmail, "--team", "Gamma");
        var chosen = await portal.CliAsync("import-memories", path, "--as", TransferPortal.TwoTeamsEmail, "--team", "beta");

        Assert.Equal(1, refused.Exit);
        Assert.Contains("line 1: team: The line names no team, and you belong to several", refused.Error);
        Assert.Contains("line 3: team:", refused.Error);
        Assert.Equal((1, "error: team: No team named 'Gamma'."), (unknown.Exit, unknown.Error.Split('\n')[0]));
        Assert.True(chosen.Exit == 0, chosen.Error);
        await using var db = await portal.DbAsync();
        Assert.Equal(["Beta", "Beta", "Beta"], await db.Memories.Where(m => m.AuthorId == portal.TwoTeams).Select(m => m.Team!.Name).ToListAsync());
    }

    [Fact]
    public async Task ImportMemories_ATeamTheUserIsNotIn_IsRefusedOnThatLine()
    {
        var records = MemorySamples.Records(2, team: "Alpha").ToList();
        records[1] = records[1] with { Team = "Beta" };
        var path = FileOf(records, "foreign-team.jsonl");

        var (exit, _, error) = await portal.CliAsync("import-memories", path, "--as", TransferPortal.AuthorEmail);

        Assert.Equal(1, exit);
        Assert.Equal("line 2: team: You can only write memories for your own teams.", error.Split('\n')[0]);
    }

    [Theory]
    [InlineData(new[] { "import-memories", "--as", "author@example.org" }, "Required argument missing for command: 'import-memories'.")]
    [InlineData(new[] { "import-memories", "x.jsonl" }, "Option '--as' is required.")]
    [InlineData(new[] { "import-memories", "nowhere.jsonl", "--as", "author@example.org" }, "there is no file 'nowhere.jsonl'")]
    [InlineData(new[] { "import-memories", "a.jsonl", "b.jsonl" }, "Unrecognized command or argument 'b.jsonl'.")]
    [InlineData(new[] { "import-memories", "a.jsonl", "--approved=yes" }, "Unrecognized command or argument 'yes'.")]
    [InlineData(new[] { "export-memories" }, "Required argument missing for command: 'export-memories'.")]
    public async Task ImportAndExport_BadArguments_ExitWithUsage(string[] args, string expected)
    {
        var (exit, _, error) = await portal.CliAsync(args);

        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
    }

    [Fact]
    public async Task ImportMemories_AsAnUnknownUser_IsRefused()
    {
        var path = FileOf(MemorySamples.Records(1), "unknown-user.jsonl");

        var (exit, _, error) = await portal.CliAsync("import-memories", path, "--as", "nobody@example.org");

        Assert.Equal(2, exit);
        Assert.Contains("there is no user with the email 'nobody@example.org'", error);
    }

    [Fact]
    public async Task Help_ListsTheTransferCommands()
    {
        var (_, output, _) = await portal.CliAsync("--help");

        Assert.Contains("import-memories <FILE>", output);
        Assert.Contains("export-memories <FILE>", output);
    }
}
