using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Benchmarks;
using MtlPortal.Memories;
using MtlPortal.Retrieval;
using MtlPortal.Runs;
using MtlPortal.Sandbox;

namespace MtlPortal.Testing;

/// <summary>
/// The portal with its job server and a stand-in model server configured as <c>Llm:*</c> (so it is seeded as the
/// model connection <see cref="Model"/>), and what runs need staged the way the portal's own code writes it: a
/// benchmark, approved insights, a finished run. Program the model with <c>Llm.Reply</c> once the portal has started.
/// </summary>
public class StandInModelPortalFactory : PortalFactory
{
    public const string Model = "fake-model";

    private readonly bool _ownsLlm;

    /// <param name="kestrel">On a real loopback port, for browser tests.</param>
    /// <param name="llm">A model server the caller owns (and disposes), shared with other portals; null starts one of its own.</param>
    protected StandInModelPortalFactory(bool kestrel, FakeOpenAiServer? llm = null)
        : base(kestrel)
    {
        _ownsLlm = llm is null;
        Llm = llm!;
    }

    public FakeOpenAiServer Llm { get; private set; }

    public override async Task InitializeAsync()
    {
        if (_ownsLlm)
        {
            Llm = await FakeOpenAiServer.StartAsync();
        }

        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsLlm && Llm is not null)
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
    }

    /// <summary>Operator commands talk to the same stand-in model and poll runs as often as the portal does.</summary>
    protected override IDictionary<string, string?> CliSettings()
    {
        var settings = base.CliSettings();
        settings["Llm:Endpoint"] = Llm.Endpoint.ToString();
        settings["Llm:Model"] = Model;
        settings["Runner:PollSeconds"] = "0.1";
        return settings;
    }

    /// <summary>
    /// A Python benchmark whose tasks each define <c>f</c>; the hidden test of task i asserts f() == i. The prompt of
    /// task i starts with "Task i:" (see <see cref="TaskNumber"/>); <paramref name="ask"/> words what it asks for.
    /// </summary>
    public async Task<Benchmark> BenchmarkAsync(string name, int tasks, string? exampleTests = null, Func<int, string>? ask = null)
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
                Prompt = $"Task {i}: {(ask ?? DefaultAsk)(i)}.",
                EntryPoint = "f",
                Tests = $"assert f() == {i}\n",
                ExampleTests = exampleTests,
            });
        }

        await using var db = await DbAsync();
        db.Benchmarks.Add(benchmark);
        await db.SaveChangesAsync();
        return benchmark;
    }

    /// <summary>
    /// An insight by <paramref name="authorId"/> from <paramref name="domain"/>, approved by the admin and present in
    /// the pool index when this returns.
    /// </summary>
    public async Task<Guid> ApprovedInsightAsync(
        string authorId, string title, string content, string domain, string description = "A general way of working that helps with many tasks.")
    {
        var author = await ActorAsync(authorId);
        var reviewer = await ActorAsync(AdminId);
        Guid id;
        await using (var scope = Services.CreateAsyncScope())
        {
            var writers = MemoryWriters.From(scope.ServiceProvider);
            var saved = await writers.Authoring.SaveAsync(author, null, new MemoryDraft(
                new InsightContent(title, description, content),
                new Provenance(domain, null, "gpt-5-mini", SourceOutcome.Success, []),
                author.TeamIds.First()), submit: true);
            id = saved.Value?.Id ?? throw new InvalidOperationException(string.Join("; ", saved.Errors.Select(e => e.Message)));
            var approved = await writers.Reviews.DecideAsync(reviewer, id, ReviewDecision.Approve, null);
            if (!approved.Succeeded)
            {
                throw new InvalidOperationException(string.Join("; ", approved.Errors.Select(e => e.Message)));
            }
        }

        var pool = Services.GetRequiredService<PoolIndexService>();
        while (pool.Served(id) is null)
        {
            await Task.Delay(20);
        }

        return id;
    }

    /// <summary>Starts a run as <paramref name="userId"/> through the same launcher as the New run page.</summary>
    public async Task<Run> StartRunAsync(RunRequest request, string userId)
    {
        var started = await Services.GetRequiredService<RunLauncher>().StartAsync(request, await ActorAsync(userId));
        return started.Value ?? throw new InvalidOperationException(string.Join("; ", started.Errors.Select(e => e.Message)));
    }

    /// <summary>
    /// Waits until the run is no longer running: the effect, however long the job server takes, up to a cap far
    /// beyond any run of the tests (a run stuck "running" must fail its test, not hang the suite).
    /// </summary>
    public async Task<RunSummary> FinishedAsync(Guid runId)
    {
        var reports = Services.GetRequiredService<RunReports>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var summary = await reports.GetAsync(runId) ?? throw new InvalidOperationException("no run");
            if (summary.Status != "running")
            {
                return summary;
            }

            if (waited.Elapsed > StuckAfter)
            {
                throw new TimeoutException($"Run {runId} is still running after {StuckAfter.TotalMinutes} minutes: {summary.Progress.Done} of {summary.Progress.Total} attempts.");
            }

            await Task.Delay(50);
        }
    }

    private static readonly TimeSpan StuckAfter = TimeSpan.FromMinutes(5);

    /// <summary>The answer as a fenced Python block defining f() that returns <paramref name="value"/>.</summary>
    public static string Answer(int value, string? memoryUsed = null) =>
        $"Here it is.\n\n```python\ndef f():\n    return {value}\n```\n" + (memoryUsed is null ? "" : $"\nMemory used: {memoryUsed}");

    /// <summary>The task number from the user message the runner sends ("Task i: ...").</summary>
    public static int TaskNumber(IReadOnlyList<FakeChatMessage> messages)
    {
        var user = messages.First(m => m.Role == "user").Content;
        var at = user.IndexOf("Task ", StringComparison.Ordinal) + 5;
        return int.Parse(user[at..user.IndexOf(':', at)], CultureInfo.InvariantCulture);
    }

    public static bool IsPlanRequest(IReadOnlyList<FakeChatMessage> messages) =>
        messages.Any(m => m.Role == "user" && m.Content.StartsWith("Read the task below and write a high-level plan", StringComparison.Ordinal));

    private static string DefaultAsk(int task) => $"write a function f() that returns the number {task}";
}
