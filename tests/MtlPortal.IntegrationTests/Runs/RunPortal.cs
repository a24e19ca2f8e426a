using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Auditing;
using MtlPortal.Benchmarks;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using MtlPortal.Runs;
using MtlPortal.Sandbox;
using MtlPortal.Users;

namespace MtlPortal.IntegrationTests.Runs;

/// <summary>
/// The portal with its job server, a stand-in model server configured as <c>Llm:*</c> (so it is seeded as the
/// model connection "fake-model"), a manager, and helpers to add a benchmark and approved memories.
/// </summary>
public class RunPortal : PortalFactory
{
    public const string Model = "fake-model";

    private readonly string? _sharedDatabase;

    public RunPortal()
    {
    }

    /// <summary>
    /// A portal talking to <paramref name="llm"/> (which the caller disposes), on the database of an earlier portal
    /// when <paramref name="database"/> is given (a restart), else on a new one.
    /// </summary>
    public RunPortal(FakeOpenAiServer llm, string? database = null)
    {
        _sharedDatabase = database;
        Llm = llm;
        OwnsLlm = false;
    }

    public FakeOpenAiServer Llm { get; private set; } = null!;

    private bool OwnsLlm { get; } = true;

    public string Manager { get; private set; } = "";

    protected override bool SeedAdmin => _sharedDatabase is null;

    public override async Task InitializeAsync()
    {
        if (_sharedDatabase is not null)
        {
            UseConnectionString(_sharedDatabase);
        }

        if (OwnsLlm)
        {
            Llm = await FakeOpenAiServer.StartAsync();
        }

        await base.InitializeAsync();
        if (_sharedDatabase is null)
        {
            Manager = await CreateUserAsync("manager@example.org", [PortalRoles.Manager, PortalRoles.Contributor, PortalRoles.Reviewer], ["Alpha"]);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (OwnsLlm && Llm is not null)
        {
            await Llm.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Llm:Endpoint", Llm.Endpoint.ToString());
        builder.UseSetting("Llm:Model", Model);
        builder.UseSetting("Runner:Enabled", "true");
        builder.UseSetting("Runner:PollSeconds", "0.1");
        builder.UseSetting("Runner:WorkerCount", "2");
        // A task's job that fails is tried once more, at once, before its run ends as failed.
        builder.UseSetting("Runner:JobRetries", "1");
        builder.UseSetting("Runner:RetryDelaySeconds", "0");
    }

    public async Task<HttpClient> KeyClientAsync(string userId, params string[] scopes)
    {
        var created = await Services.GetRequiredService<ApiKeyService>().CreateAsync(userId, "runs test", scopes, null, AuditTrail.CliActor);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Value!.Secret);
        return client;
    }

    /// <summary>A Python benchmark whose tasks each define <c>f</c>; the hidden test of task i asserts f() == i.</summary>
    public async Task<Benchmark> BenchmarkAsync(string name, int tasks, string? exampleTests = null)
    {
        var benchmark = new Benchmark
        {
            Id = Guid.CreateVersion7(), Name = name, Format = BenchmarkFormat.Tasks, SourceName = "test", ImportedAt = DateTimeOffset.UtcNow, ImportedBy = "[test]",
        };
        for (var i = 0; i < tasks; i++)
        {
            benchmark.Tasks.Add(new BenchmarkTask
            {
                Id = Guid.CreateVersion7(),
                Ordinal = i,
                TaskId = $"T/{i}",
                Language = SandboxLanguage.Python,
                Style = AnswerStyle.Standalone,
                Prompt = $"Task {i}: write a function f() that returns the number {i}.",
                EntryPoint = "f",
                Tests = $"assert f() == {i}\n",
                ExampleTests = exampleTests,
            });
        }

        await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.Benchmarks.Add(benchmark);
        await db.SaveChangesAsync();
        return benchmark;
    }

    /// <summary>An approved insight from <paramref name="domain"/>, present in the pool index when this returns.</summary>
    public async Task<Guid> ApprovedInsightAsync(string title, string content, string domain)
    {
        var workflow = Services.GetRequiredService<IServiceScopeFactory>();
        var actors = Services.GetRequiredService<ActorDirectory>();
        var author = await actors.GetAsync(Manager) ?? throw new InvalidOperationException("no manager");
        var reviewer = await actors.GetAsync(AdminId) ?? throw new InvalidOperationException("no admin");
        var draft = new MemoryDraft(
            new InsightContent(title, "A general way of working that helps with many tasks.", content),
            new Provenance(domain, null, "gpt-5-mini", SourceOutcome.Success, []),
            author.TeamIds.First());
        Guid id;
        await using (var scope = workflow.CreateAsyncScope())
        {
            var flow = MemoryWriters.From(scope.ServiceProvider);
            var saved = await flow.Authoring.SaveAsync(author, null, draft, submit: true);
            Assert.True(saved.Succeeded, string.Join("; ", saved.Errors));
            id = saved.Value!.Id;
            var approved = await flow.Reviews.DecideAsync(reviewer, id, ReviewDecision.Approve, null);
            Assert.True(approved.Succeeded, string.Join("; ", approved.Errors));
        }

        var pool = Services.GetRequiredService<PoolIndexService>();
        while (pool.Served(id) is null)
        {
            await Task.Delay(20);
        }

        return id;
    }

    public async Task<List<RunAttempt>> AttemptsAsync(Guid runId)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Set<RunAttempt>().AsNoTracking().Where(a => a.RunId == runId).ToListAsync();
    }

    /// <summary>Waits until the run is no longer running (the effect, however long the job server takes).</summary>
    public async Task<RunSummary> FinishedAsync(Guid runId)
    {
        var reports = Services.GetRequiredService<RunReports>();
        while (true)
        {
            var summary = await reports.GetAsync(runId) ?? throw new InvalidOperationException("no run");
            if (summary.Status != "running")
            {
                return summary;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The run as it stands now.</summary>
    public async Task<RunSummary> SummaryAsync(Guid runId) =>
        await Services.GetRequiredService<RunReports>().GetAsync(runId) ?? throw new InvalidOperationException("no run");

    public async Task<Run> StartAsync(RunRequest request)
    {
        var actor = await Services.GetRequiredService<ActorDirectory>().GetAsync(Manager) ?? throw new InvalidOperationException("no manager");
        var started = await Services.GetRequiredService<RunLauncher>().StartAsync(request, actor);
        Assert.True(started.Succeeded, string.Join("; ", started.Errors.Select(e => e.Message)));
        return started.Value!;
    }

    /// <summary>The answer as a fenced Python block defining f() that returns <paramref name="value"/>.</summary>
    public static string Answer(int value, string? memoryUsed = null) =>
        $"Here it is.\n\n```python\ndef f():\n    return {value}\n```\n" + (memoryUsed is null ? "" : $"\nMemory used: {memoryUsed}");

    /// <summary>The task number from the user message the runner sends ("Task i: ...").</summary>
    public static int TaskNumber(IReadOnlyList<FakeChatMessage> messages)
    {
        var user = messages.First(m => m.Role == "user").Content;
        var at = user.IndexOf("Task ", StringComparison.Ordinal) + 5;
        return int.Parse(user[at..user.IndexOf(':', at)], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static bool IsPlanRequest(IReadOnlyList<FakeChatMessage> messages) =>
        messages.Any(m => m.Role == "user" && m.Content.StartsWith("Read the task below and write a high-level plan", StringComparison.Ordinal));
}
