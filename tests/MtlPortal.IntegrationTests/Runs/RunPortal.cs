using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Auditing;
using MtlPortal.Runs;
using MtlPortal.Users;

namespace MtlPortal.IntegrationTests.Runs;

/// <summary>
/// The portal with its job server and a stand-in model server (see <see cref="StandInModelPortalFactory"/>), two
/// workers that retry a failed task once, and a manager who writes the memories and starts the runs.
/// </summary>
public class RunPortal : StandInModelPortalFactory
{
    private readonly string? _sharedDatabase;

    public RunPortal()
        : base(kestrel: false)
    {
    }

    /// <summary>
    /// A portal talking to <paramref name="llm"/> (which the caller disposes), on the database of an earlier portal
    /// when <paramref name="database"/> is given (a restart), else on a new one.
    /// </summary>
    public RunPortal(FakeOpenAiServer llm, string? database = null)
        : base(kestrel: false, llm)
    {
        _sharedDatabase = database;
    }

    public string Manager { get; private set; } = "";

    protected override bool SeedAdmin => _sharedDatabase is null;

    public override async Task InitializeAsync()
    {
        if (_sharedDatabase is not null)
        {
            UseConnectionString(_sharedDatabase);
        }

        await base.InitializeAsync();
        if (_sharedDatabase is null)
        {
            Manager = await CreateUserAsync("manager@example.org", [PortalRoles.Manager, PortalRoles.Contributor, PortalRoles.Reviewer], ["Alpha"]);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
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

    /// <summary>An approved insight by the manager from <paramref name="domain"/>, present in the pool index when this returns.</summary>
    public Task<Guid> ApprovedInsightAsync(string title, string content, string domain) =>
        ApprovedInsightAsync(Manager, title, content, domain);

    public async Task<List<RunAttempt>> AttemptsAsync(Guid runId)
    {
        await using var db = await DbAsync();
        return await db.Set<RunAttempt>().AsNoTracking().Where(a => a.RunId == runId).ToListAsync();
    }

    /// <summary>The run as it stands now.</summary>
    public async Task<RunSummary> SummaryAsync(Guid runId) =>
        await Services.GetRequiredService<RunReports>().GetAsync(runId) ?? throw new InvalidOperationException("no run");

    /// <summary>Starts a run as the manager.</summary>
    public Task<Run> StartAsync(RunRequest request) => StartRunAsync(request, Manager);
}
