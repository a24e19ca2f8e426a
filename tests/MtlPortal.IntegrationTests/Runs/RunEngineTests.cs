using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Persistence;
using MtlPortal.Runs;
using MtlPortal.Sandbox;
using Npgsql;

namespace MtlPortal.IntegrationTests.Runs;

/// <summary>
/// Whole runs on the real job engine, database and sandbox, against the stand-in model server: it writes a correct
/// program for task 0 only when a given memory is in the system prompt, and always for task 1.
/// </summary>
public sealed class RunEngineTests : IAsyncLifetime
{
    private const string Helpful = "Check the returned number against the task";
    private const string OwnDomainSecret = "Own domain shortcut";

    private readonly RunPortal _portal = new();

    public Task InitializeAsync() => _portal.InitializeAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    /// <summary>Task 0 is solved only with the helpful memory in the system prompt; task 1 always; plans mention checking numbers.</summary>
    private void AnswerCorrectlyOnlyWithTheMemory()
    {
        _portal.Llm.Reply = messages =>
        {
            if (RunPortal.IsPlanRequest(messages))
            {
                return "Check the returned number against the task. Return the number the task names.";
            }

            var system = messages.First(m => m.Role == "system").Content;
            var task = RunPortal.TaskNumber(messages);
            var withMemory = system.Contains(Helpful, StringComparison.Ordinal);
            return task == 1 || withMemory ? RunPortal.Answer(task, withMemory ? "1" : null) : RunPortal.Answer(task + 100);
        };
    }

    [Fact]
    public async Task RunThroughTheApi_MemoryThatHelps_GivesExactPassAtKForBothConditions()
    {
        AnswerCorrectlyOnlyWithTheMemory();
        await _portal.BenchmarkAsync("toy-python", tasks: 2);
        var helpful = await _portal.ApprovedInsightAsync(Helpful, "Check the returned number against the task before answering.", "other-domain");
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.RunsWrite);

        var created = await client.PostAsJsonAsync("/api/v1/runs", new { benchmark = "toy-python", conditions = new[] { "zero-shot", "insight" }, attempts = 3 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        await _portal.FinishedAsync(id);
        var run = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/runs/{id}")).RootElement;

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal("toy-python", run.GetProperty("benchmark").GetString());
        Assert.Equal(12, run.GetProperty("progress").GetProperty("done").GetInt32());
        var conditions = run.GetProperty("conditions").EnumerateArray().ToDictionary(c => c.GetProperty("condition").GetString()!);
        // Zero-shot: task 0 never passes, task 1 always: every pass@k is 1/2. Insight: both always pass.
        foreach (var k in new[] { "1", "2", "3" })
        {
            Assert.Equal(0.5, conditions["zero-shot"].GetProperty("passAtK").GetProperty(k).GetDouble());
            Assert.Equal(1.0, conditions["insight"].GetProperty("passAtK").GetProperty(k).GetDouble());
        }

        Assert.Equal(2, conditions["insight"].GetProperty("tasks").GetInt32());
        Assert.Equal(6, conditions["insight"].GetProperty("attempts").GetInt32());

        // Each insight attempt names the memory it used, and its retrieval is in the same search log as the API's.
        var attempts = await _portal.AttemptsAsync(id);
        var insight = attempts.Where(a => a.Condition == "insight").ToList();
        Assert.All(insight, a => Assert.Equal(helpful, a.MemoryUsedId));
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        await _portal.Services.GetRequiredService<RetrievalLog>().FlushAsync();
        var retrievalIds = insight.Select(a => a.RetrievalId!.Value).ToList();
        var logged = await db.RetrievalHits.Where(h => retrievalIds.Contains(h.RetrievalId)).ToListAsync();
        Assert.Equal(6, logged.Count);
        Assert.All(logged, h => Assert.Equal(helpful, h.MemoryId));
        Assert.All(attempts.Where(a => a.Condition == "zero-shot"), a => Assert.Null(a.RetrievalId));

        // One plan per task, reused by every insight attempt.
        Assert.Equal(2, _portal.Llm.Requests.Count(r => r.Body.GetProperty("messages").EnumerateArray().Any(m => (m.GetProperty("content").GetString() ?? "").StartsWith("Read the task below", StringComparison.Ordinal))));

        var csv = await client.GetStringAsync($"/api/v1/runs/{id}/attempts?format=csv");
        Assert.Equal(13, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var jsonl = (await client.GetStringAsync($"/api/v1/runs/{id}/attempts")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, jsonl.Length);
        Assert.Contains(Helpful, JsonDocument.Parse(jsonl.First(l => l.Contains("\"insight\"", StringComparison.Ordinal))).RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task Run_NeverPutsAMemoryOfTheBenchmarksOwnDomainIntoAPrompt()
    {
        _portal.Llm.Reply = messages => RunPortal.IsPlanRequest(messages) ? "Use the shortcut of this domain and check the number." : RunPortal.Answer(RunPortal.TaskNumber(messages));
        await _portal.BenchmarkAsync("own-domain", tasks: 2);
        await _portal.ApprovedInsightAsync(OwnDomainSecret, "Use the shortcut of this domain and check the number.", "own-domain");
        await _portal.ApprovedInsightAsync("Check the number twice", "Use the shortcut of this domain and check the number.", "another-domain");

        var run = await _portal.StartAsync(new RunRequest { Benchmark = "OWN-DOMAIN", Conditions = ["insight"], Attempts = 2 });
        var summary = await _portal.FinishedAsync(run.Id);

        Assert.Equal("completed", summary.Status);
        Assert.Equal(["own-domain"], run.ExcludeDomains);
        Assert.Equal(1, summary.PoolSize);
        var prompts = _portal.Llm.Requests.Select(r => r.Body.GetRawText()).ToList();
        Assert.Contains(prompts, p => p.Contains("Check the number twice", StringComparison.Ordinal));
        Assert.DoesNotContain(prompts, p => p.Contains(OwnDomainSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancel_StopsNewAttemptsAtOnce()
    {
        _portal.Llm.ResponseDelay = TimeSpan.FromMilliseconds(300);
        _portal.Llm.Reply = messages => RunPortal.Answer(RunPortal.TaskNumber(messages));
        await _portal.BenchmarkAsync("to-cancel", tasks: 6);
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.RunsWrite);
        var run = await _portal.StartAsync(new RunRequest { Benchmark = "to-cancel", Conditions = ["zero-shot"], Attempts = 3 });
        while ((await _portal.AttemptsAsync(run.Id)).Count == 0)
        {
            await Task.Delay(50);
        }

        var cancelled = await client.PostAsync($"/api/v1/runs/{run.Id}/cancel", null);
        var atCancel = (await _portal.AttemptsAsync(run.Id)).Count;
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);

        // Let every queued task of the run reach the job server: each sees the cancel before its next attempt.
        var queue = _portal.Services.GetRequiredService<RunQueue>().Storage.GetMonitoringApi();
        while (queue.EnqueuedCount("default") > 0 || queue.ProcessingCount() > 0)
        {
            await Task.Delay(50);
        }

        var summary = await _portal.FinishedAsync(run.Id);
        Assert.Equal("cancelled", summary.Status);
        // At most the attempts already in flight when the cancel came (one per worker, two here) finish after it.
        Assert.InRange((await _portal.AttemptsAsync(run.Id)).Count, atCancel, atCancel + 2);
        Assert.True(atCancel + 2 < run.ExpectedAttempts);
        var again = await client.PostAsync($"/api/v1/runs/{run.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task RateLimitedModel_IsRetriedAfterRetryAfter_AndNoAttemptFails()
    {
        _portal.Llm.Reply = messages => RunPortal.Answer(RunPortal.TaskNumber(messages));
        _portal.Llm.FailRequests(429, count: 2, retryAfter: TimeSpan.FromSeconds(1));
        await _portal.BenchmarkAsync("rate-limited", tasks: 1);

        var run = await _portal.StartAsync(new RunRequest { Benchmark = "rate-limited", Conditions = ["zero-shot"], Attempts = 2 });
        var summary = await _portal.FinishedAsync(run.Id);

        Assert.Equal("completed", summary.Status);
        var attempts = await _portal.AttemptsAsync(run.Id);
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Null(a.Error));
        Assert.All(attempts, a => Assert.Equal(SandboxVerdict.Passed, a.Verdict));
        Assert.Equal(4, _portal.Llm.Requests.Count);
    }

    [Fact]
    public async Task ModelRefusingEveryPlanRequest_RunEndsAsFailedWithTheReason_AfterItsJobIsRetried()
    {
        _portal.Llm.FailRequests(400);
        await _portal.BenchmarkAsync("refused", tasks: 1);

        var run = await _portal.StartAsync(new RunRequest { Benchmark = "refused", Conditions = ["insight"], Attempts = 2, Query = RetrievalQuery.Plan });
        var summary = await _portal.FinishedAsync(run.Id);

        Assert.Equal("failed", summary.Status);
        Assert.StartsWith("failed: task T/0 could not be run (", summary.StatusReason);
        Assert.Contains("400", summary.StatusReason);
        Assert.Empty(await _portal.AttemptsAsync(run.Id));
        // The first try and the one retry each asked for the plan once.
        Assert.Equal(2, _portal.Llm.Requests.Count(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)));
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesRead);
        var read = await client.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{run.Id}");
        Assert.Equal("failed", read.GetProperty("status").GetString());
    }

    // A task's job holds a session lock while it works. Closing its connection returns the session to the pool with
    // the lock still held (the pool resets a session only when it is next used), so a retry of the job on another
    // pooled connection found the task "worked on elsewhere", gave up as if done, and the run stayed "running".
    // The job is called directly, with no job server, so nothing else uses the pool before the lock is checked.
    [Fact]
    public async Task ATasksJobThatFails_ReleasesItsLock_SoARetryOnAnotherConnectionCanTakeTheTask()
    {
        await using var portal = new PortalWithoutJobServer();
        await portal.InitializeAsync();
        portal.Llm.FailRequests(400);
        var benchmark = await portal.BenchmarkAsync("locked", tasks: 1);
        var run = await portal.StartAsync(new RunRequest { Benchmark = "locked", Conditions = ["insight"], Attempts = 1, Query = RetrievalQuery.Plan });
        var job = ActivatorUtilities.CreateInstance<RunTaskJob>(portal.Services);

        await Assert.ThrowsAnyAsync<Exception>(() => job.ExecuteAsync(run.Id, benchmark.Tasks.Single().Id, CancellationToken.None));

        var unpooled = new NpgsqlConnectionStringBuilder(portal.Services.GetRequiredService<PortalDatabase>().ConnectionString) { Pooling = false };
        await using var other = new NpgsqlConnection(unpooled.ConnectionString);
        await other.OpenAsync();
        await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended(@key, 0))", other);
        take.Parameters.AddWithValue("key", $"mtl-run-task:{run.Id}:{benchmark.Tasks.Single().Id}");
        Assert.Equal(true, await take.ExecuteScalarAsync());
    }

    private sealed class PortalWithoutJobServer : RunPortal
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Runner:Enabled", "false");
        }
    }

    [Fact]
    public async Task AgentMode_ModelRunsCodeOnceOnTheExamples_ThenAnswers()
    {
        _portal.Llm.CallTool = messages => messages.Any(m => m.Role == "tool")
            ? null
            : new FakeToolCall("run_code", JsonSerializer.Serialize(new { code = "def f():\n    return 0\n" }));
        _portal.Llm.Reply = messages => RunPortal.Answer(RunPortal.TaskNumber(messages));
        await _portal.BenchmarkAsync("agentic", tasks: 1, exampleTests: "assert f() == 0\nprint('examples ran')\n");

        var run = await _portal.StartAsync(new RunRequest { Benchmark = "agentic", Conditions = ["zero-shot"], Attempts = 1, Mode = RunMode.Agent });
        var summary = await _portal.FinishedAsync(run.Id);

        var attempt = Assert.Single(await _portal.AttemptsAsync(run.Id));
        Assert.Equal(SandboxVerdict.Passed, attempt.Verdict);
        var step = Assert.Single(JsonDocument.Parse(attempt.Steps).RootElement.EnumerateArray());
        Assert.Equal("Passed", step.GetProperty("verdict").GetString());
        Assert.Contains("examples ran", step.GetProperty("output").GetString());
        Assert.Contains(_portal.Llm.Requests, r => r.Body.GetProperty("tools").GetArrayLength() == 1);
        var toolResult = _portal.Llm.Requests[^1].Body.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("role").GetString() == "tool");
        Assert.Contains("verdict: Passed", toolResult.GetProperty("content").GetString());
        Assert.Equal(1.0, summary.Conditions.Single().PassAtK["1"]);
    }

    [Fact]
    public async Task TokenCap_Reached_StopsTheRunWithTheReason()
    {
        _portal.Llm.Reply = messages => RunPortal.Answer(RunPortal.TaskNumber(messages));
        await _portal.BenchmarkAsync("capped", tasks: 4);

        // Each attempt costs well over 10 tokens (the fake counts words): the cap is reached after the first ones.
        var run = await _portal.StartAsync(new RunRequest { Benchmark = "capped", Conditions = ["zero-shot"], Attempts = 3, MaxTokens = 10 });
        var summary = await _portal.FinishedAsync(run.Id);

        Assert.Equal("stopped", summary.Status);
        Assert.StartsWith("token cap reached", summary.StatusReason);
        Assert.InRange(summary.Progress.Done, 1, 2);
        Assert.True(summary.TokensIn + summary.TokensOut >= 10);
    }

    [Fact]
    public async Task StartRun_BadInput_IsAProblemNamingEachFieldAndStartsNothing()
    {
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.RunsWrite);

        var response = await client.PostAsJsonAsync("/api/v1/runs", new { benchmark = "no-such", conditions = new[] { "telepathy" }, attempts = 0, limit = 2, sample = 3 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        foreach (var field in new[] { "benchmark", "conditions", "attempts", "limit" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }

        Assert.Empty(JsonDocument.Parse(await client.GetStringAsync("/api/v1/runs")).RootElement.EnumerateArray());
    }

    [Fact]
    public async Task StartRun_KeyWithoutRunsWrite_Is403()
    {
        await _portal.BenchmarkAsync("no-scope", tasks: 1);
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesRead);

        var response = await client.PostAsJsonAsync("/api/v1/runs", new { benchmark = "no-scope" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
