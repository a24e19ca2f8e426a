using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Generation;
using MtlPortal.IntegrationTests.Runs;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Runs;
using MtlPortal.Trajectories;

namespace MtlPortal.IntegrationTests.Generation;

/// <summary>
/// Trajectories imported through the API, memories generated from them by a job on the real job engine against the
/// stand-in model server, landing in review; then reviewed in bulk.
/// </summary>
public sealed class GenerationTests : IAsyncLifetime
{
    private const string Insight = """{"title": "Reproduce before fixing", "description": "Confirm the failure with a small check before changing anything.", "content": "Write a minimal check that shows the failure first. Change the code, then run the same check again to see it pass."}""";
    private const string Workflow = """{"goal": "Fix a failing behaviour safely", "workflow": ["reproduce the failure", "find where the behaviour is decided", "change it", "run the check again"]}""";
    private const string Summary = """{"task_summary": "The task asked for a small change in a command-line environment.", "experience_summary": "The agent inspected the environment, made the change and checked the output, which is why it succeeded."}""";
    private const string TrajectoryMemory = """{"steps": [{"action": "echo a greeting", "observation": "the greeting was printed"}, {"action": "wait", "observation": "[cut]"}]}""";

    private readonly RunPortal _portal = new();

    public Task InitializeAsync() => _portal.InitializeAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    /// <summary>The judge passes everything; each kind's prompt gets a valid answer of its kind.</summary>
    private void AnswerEveryKind(Func<string, string?>? overrides = null) =>
        _portal.Llm.Reply = messages =>
        {
            var system = messages.First(m => m.Role == "system").Content;
            return overrides?.Invoke(system) ?? KindOf(system) switch
            {
                "judge" => "The agent ran the command and showed its output.\nPASS",
                "insight" => Insight,
                "workflow" => Workflow,
                "summary" => Summary,
                "trajectory" => TrajectoryMemory,
                _ => "?",
            };
        };

    private static string KindOf(string system) =>
        system.Contains("PASS or FAIL", StringComparison.Ordinal) ? "judge"
        : system.Contains("{\"title\"", StringComparison.Ordinal) ? "insight"
        : system.Contains("{\"goal\"", StringComparison.Ordinal) ? "workflow"
        : system.Contains("{\"task_summary\"", StringComparison.Ordinal) ? "summary"
        : system.Contains("{\"steps\"", StringComparison.Ordinal) ? "trajectory"
        : "";

    private async Task<Guid> ImportAsync(HttpClient client, string query, string body)
    {
        var response = await client.PostAsync($"/api/v1/trajectories?{query}", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("ids")[0].GetGuid();
    }

    private static async Task<JsonElement> FinishedAsync(HttpClient client, Guid job)
    {
        while (true)
        {
            var view = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/generations/{job}")).RootElement;
            if (view.GetProperty("status").GetString() is "completed" or "cancelled" or "failed")
            {
                return view;
            }

            await Task.Delay(50);
        }
    }

    private static async Task<Guid> StartAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/v1/generations", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }

    private static string Sample(string folder, string file) => File.ReadAllText(SharedData.PathOf("trajectories", folder, file));

    [Fact]
    public async Task ImportedSamples_GenerateEveryKind_InReviewWithProvenanceScoreAndTrajectory()
    {
        AnswerEveryKind();
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesWrite, ApiScopes.MemoriesRead);
        var atif = await ImportAsync(client, "format=atif&domain=terminal-bench&name=terminus.json", Sample("harbor-atif", "tests__golden__terminus_2__hello-world-timeout.trajectory.json"));
        var swe = await ImportAsync(client, "format=swe-agent&domain=humanevalfix&model=gpt-4o&name=humanevalfix-python-0.traj", Sample("swe-agent", "humanevalfix-python-0.traj"));

        var job = await StartAsync(client, new { source = new { trajectoryIds = new[] { atif, swe } }, kinds = new[] { "trajectory", "workflow", "summary", "insight" }, outcomes = "all", team = "Alpha" });
        var view = await FinishedAsync(client, job);

        Assert.Equal("completed", view.GetProperty("status").GetString());
        // Neither sample has a ground-truth verdict: one judge call each, then one call per kind.
        Assert.Equal(10, view.GetProperty("plannedCalls").GetInt32());
        Assert.Equal(10, view.GetProperty("callsDone").GetInt32());
        Assert.Equal(8, view.GetProperty("memoriesCreated").GetInt32());
        await using var db = await _portal.DbAsync();
        var links = await db.Set<GeneratedMemory>().Where(l => l.JobId == job).ToListAsync();
        Assert.Equal(8, links.Count);
        var memories = await db.Memories.Include(m => m.Revisions).Include(m => m.Team).Where(m => links.Select(l => l.MemoryId).Contains(m.Id)).ToListAsync();
        Assert.All(memories, m => Assert.Equal(MemoryStatus.InReview, m.Status));
        Assert.All(memories, m => Assert.Equal("Alpha", m.Team!.Name));
        Assert.Equal([MemoryKind.Trajectory, MemoryKind.Workflow, MemoryKind.Summary, MemoryKind.Insight], memories.Select(m => m.Kind).Distinct().Order().ToArray());
        foreach (var memory in memories)
        {
            var revision = memory.Revisions.Single();
            var link = links.Single(l => l.MemoryId == memory.Id);
            Assert.Equal(link.TrajectoryId == atif ? ("terminal-bench", "openai/gpt-4o") : ("humanevalfix", "gpt-4o"), (revision.SourceDomain, revision.SourceModel));
            Assert.Equal(SourceOutcome.Success, revision.Outcome);
            Assert.Contains("generated", revision.Tags);
            Assert.InRange(revision.AbstractionScore, 0.01, 1);
            Assert.Equal(RunPortal.Model, link.GeneratorModel);
        }

        var swePrefix = memories.Where(m => links.Single(l => l.MemoryId == m.Id).TrajectoryId == swe).Select(m => m.Revisions.Single().SourceTaskRef).Distinct();
        Assert.Equal(["humanevalfix-python-0"], swePrefix);
        var judged = await db.Set<Trajectory>().SingleAsync(t => t.Id == atif);
        Assert.Equal((TrajectoryVerdict.Passed, VerdictOrigin.LlmJudge), (judged.Verdict, judged.VerdictOrigin));
        Assert.Equal(2, await db.AuditEntries.CountAsync(a => a.Action == "trajectories.imported"));
        Assert.Equal(8, await db.AuditEntries.CountAsync(a => a.Action == "memory.submitted" && links.Select(l => l.MemoryId.ToString()).Contains(a.EntityId)));
    }

    // A memory and its link to the trajectory it came from are one save: if the link cannot be written (here the
    // trajectory vanishes while its memories are generated), no memory lands in review without its provenance.
    [Fact]
    public async Task MemoriesWhoseTrajectoryLinkCannotBeSaved_AreNotSavedEither_AndTheJobSaysItFailed()
    {
        Guid? vanishing = null;
        AnswerEveryKind(system =>
        {
            if (KindOf(system) == "insight" && vanishing is { } id)
            {
                using var db = _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
                db.Database.ExecuteSql($"""DELETE FROM "Trajectories" WHERE "Id" = {id}""");
            }

            return null;
        });
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesWrite);
        vanishing = await ImportAsync(client, "domain=toy", """{"task":"Count the lines of a file","verdict":"passed","steps":[{"action":"wc -l notes.txt","observation":"12 notes.txt"}]}""");
        int memoriesBefore;
        await using (var db = await _portal.DbAsync())
        {
            memoriesBefore = await db.Memories.CountAsync();
        }

        var job = await StartAsync(client, new { source = new { trajectoryIds = new[] { vanishing } }, kinds = new[] { "workflow", "insight" }, team = "Alpha" });
        var view = await FinishedAsync(client, job);

        Assert.Equal("failed", view.GetProperty("status").GetString());
        Assert.Equal(0, view.GetProperty("memoriesCreated").GetInt32());
        await using (var db = await _portal.DbAsync())
        {
            Assert.Equal(memoriesBefore, await db.Memories.CountAsync());
        }
    }

    [Fact]
    public async Task MalformedModelOutput_IsRefusedWithItsReason_AndOnlyValidMemoriesAreSaved()
    {
        AnswerEveryKind(system => KindOf(system) switch
        {
            "insight" => """{"title": "Open the settings", "description": "Read the settings first.", "content": "Always open settings.py before changing the database code."}""",
            "summary" => """{"task_summary": "Only half of a summary."}""",
            "trajectory" => "Sorry, I cannot help with that.",
            _ => null,
        });
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesWrite);
        var id = await ImportAsync(client, "domain=toy", """{"task":"Count the lines of a file","verdict":"failed","steps":[{"action":"wc -l","observation":"wc: missing operand"}]}""");

        var job = await StartAsync(client, new { source = new { trajectoryIds = new[] { id } }, kinds = new[] { "insight", "summary", "trajectory", "workflow" }, team = "Alpha" });
        var view = await FinishedAsync(client, job);

        Assert.Equal("completed", view.GetProperty("status").GetString());
        Assert.Equal(1, view.GetProperty("memoriesCreated").GetInt32());
        var problems = view.GetProperty("problems").EnumerateArray().ToDictionary(p => p.GetProperty("kind").GetString()!, p => p.GetProperty("reason").GetString()!);
        Assert.Contains("settings.py", problems["insight"], StringComparison.Ordinal);
        Assert.Equal("The model's answer has no text field 'experience_summary'.", problems["summary"]);
        Assert.StartsWith("The model's answer is not JSON", problems["trajectory"], StringComparison.Ordinal);
        await using var db = await _portal.DbAsync();
        var memory = await db.Memories.Include(m => m.Revisions).SingleAsync(m => db.Set<GeneratedMemory>().Any(l => l.MemoryId == m.Id && l.JobId == job));
        Assert.Equal(MemoryKind.Workflow, memory.Kind);
        Assert.Equal(SourceOutcome.Failure, memory.Revisions.Single().Outcome);
        // The ground-truth verdict from the file was used: no judge call.
        Assert.DoesNotContain(_portal.Llm.Requests, r => r.Body.GetRawText().Contains("PASS or FAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CancelledJob_MakesNoFurtherModelCalls_AndKeepsWhatItMade()
    {
        using var firstCall = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        _portal.Llm.Reply = _ =>
        {
            firstCall.Release();
            release.Wait(TimeSpan.FromMinutes(1));
            return Insight;
        };
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesWrite);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await ImportAsync(client, "domain=toy", $$"""{"task":"Task {{i}}","verdict":"passed","steps":[{"action":"run the check","observation":"ok"}]}"""));
        }

        var job = await StartAsync(client, new { source = new { trajectoryIds = ids }, kinds = new[] { "insight" }, team = "Alpha" });
        Assert.True(await firstCall.WaitAsync(TimeSpan.FromMinutes(1)), "the job never called the model");
        var cancelled = await client.PostAsync($"/api/v1/generations/{job}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        release.Release(10);

        // The call under way finishes and its memory is kept; the job then sees the cancel before the next call.
        JsonElement view;
        do
        {
            await Task.Delay(50);
            view = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/generations/{job}")).RootElement;
        }
        while (view.GetProperty("trajectoriesDone").GetInt32() < 1);

        Assert.Equal("cancelled", view.GetProperty("status").GetString());
        Assert.Single(_portal.Llm.Requests, r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/v1/generations/{job}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task FailingModelServer_FailsTheJobWithTheServersMessage_AndSavesNothing()
    {
        _portal.Llm.FailRequests(400);
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesWrite);
        var id = await ImportAsync(client, "domain=toy", """{"task":"Count the lines","verdict":"passed","steps":[{"action":"wc -l f","observation":"3 f"}]}""");

        var job = await StartAsync(client, new { source = new { trajectoryIds = new[] { id } }, kinds = new[] { "insight" }, team = "Alpha" });
        var view = await FinishedAsync(client, job);

        Assert.Equal("failed", view.GetProperty("status").GetString());
        Assert.Contains("HTTP 400", view.GetProperty("statusReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, view.GetProperty("memoriesCreated").GetInt32());
        await using var db = await _portal.DbAsync();
        Assert.False(await db.Set<GeneratedMemory>().AnyAsync(l => l.JobId == job));
    }

    [Fact]
    public async Task BulkReview_ApprovesForAnotherReviewer_RefusesTheAuthorsOwn_AndApprovedAreServed()
    {
        AnswerEveryKind();
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesWrite, ApiScopes.MemoriesRead);
        var ids = new List<Guid>();
        for (var i = 0; i < 2; i++)
        {
            ids.Add(await ImportAsync(client, "domain=toy", $$"""{"task":"Task {{i}}","verdict":"passed","steps":[{"action":"run the check","observation":"ok"}]}"""));
        }

        var job = await StartAsync(client, new { source = new { trajectoryIds = ids }, kinds = new[] { "insight", "summary" }, team = "Alpha" });
        Assert.Equal(4, (await FinishedAsync(client, job)).GetProperty("memoriesCreated").GetInt32());
        await using var db = await _portal.DbAsync();
        var memoryIds = await db.Set<GeneratedMemory>().Where(l => l.JobId == job).Select(l => l.MemoryId).ToListAsync();
        var actors = _portal.Services.GetRequiredService<ActorDirectory>();
        var bulk = _portal.Services.GetRequiredService<BulkReview>();

        var own = await bulk.DecideAsync((await actors.GetAsync(_portal.Manager))!, memoryIds, ReviewDecision.Approve, "looks right");
        Assert.All(own, o => Assert.False(o.Succeeded));
        Assert.Equal(0, await db.Memories.CountAsync(m => memoryIds.Contains(m.Id) && m.Status == MemoryStatus.Approved));

        var other = await bulk.DecideAsync((await actors.GetAsync(_portal.AdminId))!, memoryIds, ReviewDecision.Approve, "checked against the trajectories");
        Assert.All(other, o => Assert.True(o.Succeeded, o.Message));
        Assert.Equal(4, await db.Memories.CountAsync(m => memoryIds.Contains(m.Id) && m.Status == MemoryStatus.Approved));
        Assert.Equal(4, await db.AuditEntries.CountAsync(a => a.Action == "memory.approved" && a.Actor == _portal.AdminId));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/memories/{memoryIds[0]}")).StatusCode);
    }

    [Fact]
    public async Task FinishedRun_GenerateFromFailures_ProvenanceNamesTheRunsBenchmarkAndModel()
    {
        _portal.Llm.Reply = messages =>
        {
            var system = messages.First(m => m.Role == "system").Content;
            if (KindOf(system) == "insight")
            {
                return Insight;
            }

            return RunPortal.IsPlanRequest(messages) ? "Return the number." : RunPortal.Answer(RunPortal.TaskNumber(messages) == 0 ? 0 : 99);
        };
        await _portal.BenchmarkAsync("toy-gen", tasks: 2);
        var run = await _portal.StartAsync(new RunRequest { Benchmark = "toy-gen", Conditions = ["zero-shot"], Attempts = 1 });
        await _portal.FinishedAsync(run.Id);
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesWrite);

        var job = await StartAsync(client, new { source = new { runId = run.Id }, kinds = new[] { "insight" }, outcomes = "failures", team = "Alpha" });
        var view = await FinishedAsync(client, job);

        Assert.Equal("completed", view.GetProperty("status").GetString());
        Assert.Equal(1, view.GetProperty("memoriesCreated").GetInt32());
        await using var db = await _portal.DbAsync();
        var link = await db.Set<GeneratedMemory>().SingleAsync(l => l.JobId == job);
        var revision = await db.MemoryRevisions.SingleAsync(r => r.MemoryId == link.MemoryId);
        Assert.Equal(("toy-gen", "T/1", RunPortal.Model, SourceOutcome.Failure), (revision.SourceDomain, revision.SourceTaskRef, revision.SourceModel, revision.Outcome));
        var trajectory = await db.Set<Trajectory>().SingleAsync(t => t.Id == link.TrajectoryId);
        Assert.Equal((TrajectoryVerdict.Failed, VerdictOrigin.GroundTruth, 1), (trajectory.Verdict, trajectory.VerdictOrigin, trajectory.StepCount));
        Assert.Equal(2, await db.Set<Trajectory>().CountAsync(t => t.RunId == run.Id));
    }
}
