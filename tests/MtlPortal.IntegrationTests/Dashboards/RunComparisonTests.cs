using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Dashboards;
using MtlPortal.IntegrationTests.Runs;
using MtlPortal.Persistence;
using MtlPortal.Runs;
using MtlPortal.Users;

namespace MtlPortal.IntegrationTests.Dashboards;

/// <summary>
/// A whole run on the real job engine and sandbox against the stand-in model, then its comparison through Core and the
/// API; and external results imported beside it.
/// </summary>
public sealed class RunComparisonTests : IAsyncLifetime
{
    private const string Helpful = "Check the returned number against the task";

    private readonly RunPortal _portal = new();

    public Task InitializeAsync() => _portal.InitializeAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    /// <summary>
    /// With the memory in the prompt tasks 0, 1 and 2 are solved and task 3 is not; without it tasks 2 and 3 are. So
    /// insight against zero-shot: improved {T/0, T/1}, regressed {T/3}, both {T/2}.
    /// </summary>
    private async Task<Guid> ScriptedRunAsync(IReadOnlyList<string>? sourceModels = null)
    {
        _portal.Llm.Reply = messages =>
        {
            if (RunPortal.IsPlanRequest(messages))
            {
                return "Check the returned number against the task. Return the number the task names.";
            }

            var task = RunPortal.TaskNumber(messages);
            var withMemory = messages.First(m => m.Role == "system").Content.Contains(Helpful, StringComparison.Ordinal);
            var solved = withMemory ? task is 0 or 1 or 2 : task is 2 or 3;
            return RunPortal.Answer(solved ? task : task + 100);
        };
        await _portal.BenchmarkAsync("toy-compare", tasks: 4);
        await _portal.ApprovedInsightAsync(Helpful, "Check the returned number against the task before answering.", "other-domain");
        var run = await _portal.StartAsync(new RunRequest { Benchmark = "toy-compare", Conditions = ["zero-shot", "insight"], Attempts = 2, SourceModels = sourceModels });
        Assert.Equal("completed", (await _portal.FinishedAsync(run.Id)).Status);
        return run.Id;
    }

    [Fact]
    public async Task RunAgainstZeroShot_GivesExactDeltaFlipsAndCounts_AndTheApiReturnsTheSameNumbers()
    {
        var runId = await ScriptedRunAsync();

        var comparison = (await _portal.Services.GetRequiredService<RunComparisons>().CompareAsync(runId, null, null)).Value!;

        Assert.Equal("zero-shot", comparison.BaselineCondition);
        Assert.Equal(2, comparison.K);
        Assert.Equal(["toy-compare"], comparison.Benchmarks);
        var insight = Assert.Single(comparison.Paired);
        Assert.Equal(4, insight.Tasks);
        Assert.Equal(0.5, insight.BaselinePassAtK, 12);
        Assert.Equal(0.75, insight.PassAtK, 12);
        Assert.Equal(0.25, insight.Delta, 12);
        Assert.Equal(["T/0", "T/1"], insight.ImprovedTasks);
        Assert.Equal(["T/3"], insight.RegressedTasks);
        Assert.Equal((1, 0), (insight.Both, insight.Neither));
        Assert.Equal(1.0, insight.McNemarP, 12); // b = 2, c = 1: 2·(1 + 3)/8, capped at 1
        Assert.True(insight.WithinNoise);
        var flips = comparison.Tasks.Where(t => t.Different).ToList();
        Assert.Equal(["T/0", "T/1", "T/3"], flips.Select(t => t.Task));
        Assert.All(flips, f => Assert.Equal(2, f.BaselineAttemptList.Count));
        Assert.All(flips, f => Assert.Equal(2, f.CandidateAttemptList.Count));
        var costs = comparison.Costs.Single(c => c.Condition == "insight");
        Assert.Equal((8, 3), (costs.Attempts, costs.SolvedTasks));
        Assert.True(costs.TokensIn > 0);

        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesRead);
        var api = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/runs/{runId}/comparison?baseline=zero-shot")).RootElement;
        var condition = Assert.Single(api.GetProperty("conditions").EnumerateArray());
        Assert.Equal("insight", condition.GetProperty("condition").GetString());
        Assert.Equal(insight.PassAtK, condition.GetProperty("passAtK").GetDouble(), 6);
        Assert.Equal(insight.Delta, condition.GetProperty("delta").GetDouble(), 6);
        Assert.Equal(insight.DeltaCi95.Low, condition.GetProperty("deltaCi95").GetProperty("low").GetDouble(), 6);
        Assert.Equal(insight.DeltaCi95.High, condition.GetProperty("deltaCi95").GetProperty("high").GetDouble(), 6);
        Assert.Equal(insight.Ci95.Low, condition.GetProperty("ci95").GetProperty("low").GetDouble(), 6);
        Assert.Equal(insight.McNemarP, condition.GetProperty("mcnemarP").GetDouble(), 6);
        Assert.Equal(["T/0", "T/1"], condition.GetProperty("improved").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["T/3"], condition.GetProperty("regressed").EnumerateArray().Select(t => t.GetString()));

        var csv = (await client.GetStringAsync($"/api/v1/runs/{runId}/comparison?format=csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, csv.Length);
        Assert.Contains(",insight,2,4,0.5,0.75,", csv[1]);
        var tasksCsv = (await client.GetStringAsync($"/api/v1/runs/{runId}/comparison?format=tasks-csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("insight,toy-compare,T/3,regressed,2,2,0,2", tasksCsv);
    }

    [Fact]
    public async Task RunFilteredBySourceModel_FillsTheCrossModelTable()
    {
        // The insight is written by gpt-5-mini (RunPortal's memories); the run's model is the stand-in "fake-model".
        var runId = await ScriptedRunAsync(sourceModels: ["gpt-5-mini"]);
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesRead);

        var cells = JsonDocument.Parse(await client.GetStringAsync("/api/v1/dashboards/cross-model")).RootElement.EnumerateArray().ToList();

        var cell = Assert.Single(cells);
        Assert.Equal("gpt-5-mini", cell.GetProperty("sourceModels").GetString());
        Assert.Equal(RunPortal.Model, cell.GetProperty("targetModel").GetString());
        Assert.Equal("insight", cell.GetProperty("condition").GetString());
        Assert.Equal(runId, cell.GetProperty("runId").GetGuid());
        Assert.Equal(0.25, cell.GetProperty("delta").GetDouble(), 12);
        Assert.Equal(1.0, cell.GetProperty("mcnemarP").GetDouble(), 12);
    }

    [Fact]
    public async Task ExportButton_GivesTheManagerTheSameCsvAsTheApi_AndContributorsNone()
    {
        var runId = await ScriptedRunAsync();
        var api = await (await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesRead)).GetStringAsync($"/api/v1/runs/{runId}/comparison?format=tasks-csv");
        var manager = _portal.CreateBrowserlikeClient();
        await manager.SignInAsync("manager@example.org");
        await _portal.CreateUserAsync("reader@example.org", [PortalRoles.Contributor], ["Alpha"]);
        var reader = _portal.CreateBrowserlikeClient();
        await reader.SignInAsync("reader@example.org");

        var download = await manager.GetAsync($"/dashboards/export/{runId}?baseline=zero-shot&format=tasks-csv");
        var refused = await reader.GetAsync($"/dashboards/export/{runId}?format=csv");

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("text/csv", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"comparison-{runId}-tasks.csv", download.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal(api, await download.Content.ReadAsStringAsync());
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
    }

    [Fact]
    public async Task Comparison_BadBaselineOrUnknownRun_IsAClearProblem()
    {
        var runId = await ScriptedRunAsync();
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesRead);

        var badCondition = await client.GetAsync($"/api/v1/runs/{runId}/comparison?baseline=summary");
        var unknownRun = await client.GetAsync($"/api/v1/runs/{Guid.NewGuid()}/comparison");
        var unknownAgainst = await client.GetAsync($"/api/v1/runs/{runId}/comparison?against={Guid.NewGuid()}");
        var anonymous = await _portal.CreateClient().GetAsync($"/api/v1/runs/{runId}/comparison");

        Assert.Equal(HttpStatusCode.BadRequest, badCondition.StatusCode);
        Assert.Contains("has no condition 'summary'", await badCondition.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknownRun.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownAgainst.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task ExternalResults_ImportAsRuns_AndCompareAgainstThePortalsOwnRun()
    {
        var runId = await ScriptedRunAsync();
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.RunsWrite);
        // Another model's zero-shot on the same benchmark: it solves T/0 and T/3 only.
        var lines = Enumerable.Range(0, 4).SelectMany(task => Enumerable.Range(1, 2).Select(attempt => JsonSerializer.Serialize(new
        {
            benchmark = "toy-compare", task = $"T/{task}", condition = "zero-shot", attempt, passed = task is 0 or 3, model = "other-model", tokensIn = 50, tokensOut = 5,
        })));

        var imported = await client.PostAsync("/api/v1/runs/external?source=harness-x", new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var externalId = JsonDocument.Parse(await imported.Content.ReadAsStringAsync()).RootElement.GetProperty("runs")[0].GetProperty("runId").GetGuid();
        var summary = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/runs/{externalId}")).RootElement;
        Assert.Equal("harness-x", summary.GetProperty("benchmark").GetString());
        Assert.Equal("other-model", summary.GetProperty("model").GetString());
        Assert.Equal(0.5, summary.GetProperty("conditions")[0].GetProperty("passAtK").GetProperty("2").GetDouble());
        // Its attempts export like the runner's: each under its task's name, in the file's order.
        var exported = (await client.GetStringAsync($"/api/v1/runs/{externalId}/attempts")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(["T/0", "T/0", "T/1", "T/1", "T/2", "T/2", "T/3", "T/3"], exported.Select(a => a.GetProperty("task").GetString()));
        Assert.Equal([true, true, false, false, false, false, true, true], exported.Select(a => a.GetProperty("passed").GetBoolean()));

        // The portal's run (candidate) against the external run's zero-shot (baseline), paired by benchmark and task.
        var api = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/runs/{runId}/comparison?baseline=zero-shot&against={externalId}")).RootElement;
        var byCondition = api.GetProperty("conditions").EnumerateArray().ToDictionary(c => c.GetProperty("condition").GetString()!);
        Assert.Equal(["T/2"], byCondition["zero-shot"].GetProperty("improved").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["T/0"], byCondition["zero-shot"].GetProperty("regressed").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["T/1", "T/2"], byCondition["insight"].GetProperty("improved").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["T/3"], byCondition["insight"].GetProperty("regressed").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(0.25, byCondition["insight"].GetProperty("delta").GetDouble(), 6);

        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == ExternalResultsImporter.ImportedAction && a.EntityId == externalId.ToString()));
    }

    [Fact]
    public async Task ExternalResults_FileWithErrors_ImportsNothing_AndNamesEachLine()
    {
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.RunsWrite);
        var file = string.Join('\n',
            """{"benchmark": "b", "task": "t1", "condition": "zero-shot", "attempt": 1, "passed": true, "model": "m"}""",
            """{"benchmark": "b", "task": "t1", "condition": "with-memories", "attempt": 1, "passed": true, "model": "m"}""",
            "not json",
            """{"benchmark": "b", "task": "t2", "condition": "insight", "attempt": 0, "passed": "yes", "model": "m"}""",
            """{"benchmark": "b", "task": "t1", "condition": "zero-shot", "attempt": 1, "passed": false, "model": "m"}""",
            $$"""{"benchmark": "b", "task": "t3", "condition": "insight", "attempt": 1, "passed": true, "model": "m", "memoryIds": ["{{Guid.NewGuid()}}"]}""");

        var response = await client.PostAsync("/api/v1/runs/external?source=broken", new StringContent(file, Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").GetProperty("file").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.StartsWith("line 2: condition 'with-memories' is not one of", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 3: not valid JSON", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 4: attempt is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 4: passed is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 5: attempt 1 of task 't1'", StringComparison.Ordinal) && e.Contains("already on line 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 6: memoryIds: there is no memory", StringComparison.Ordinal));
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.False(await db.Set<Run>().AnyAsync(r => r.Kind == RunKind.External));
    }

    [Fact]
    public async Task ExternalResults_KeyWithoutRunsWrite_IsRefused()
    {
        var contributor = await _portal.CreateUserAsync("contributor@example.org", [PortalRoles.Contributor], ["Alpha"]);
        var client = await _portal.KeyClientAsync(contributor, ApiScopes.MemoriesRead);
        var line = """{"benchmark": "b", "task": "t", "condition": "zero-shot", "attempt": 1, "passed": true, "model": "m"}""";

        var response = await client.PostAsync("/api/v1/runs/external?source=x", new StringContent(line, Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
