using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using MtlPortal.Agents;
using MtlPortal.Auditing;
using MtlPortal.Persistence;
using Npgsql;

namespace MtlPortal.IntegrationTests.Api;

/// <summary>The search log, which feedback is attributed against, when the database fails or a record is bad.</summary>
public class SearchLogTests(ApiPortal portal) : IClassFixture<ApiPortal>
{
    private const string Search = "/api/v1/memories/search";

    private IDbContextFactory<PortalDbContext> Contexts => portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();

    [Fact]
    public async Task DatabaseUnavailableWhileTheLogIsWritten_PortalKeepsRunning_ReportsIt_AndWritesTheSearchOnceTheDatabaseIsBack()
    {
        var client = await portal.KeyClientAsync(portal.Colleague, ApiScopes.MemoriesRead);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync(Search, new { query = "warm the key cache" })).StatusCode);
        await portal.Services.GetRequiredService<RetrievalLog>().FlushAsync();
        var stopping = portal.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

        Guid retrievalId;
        await SetConnectionsAllowedAsync(false);
        try
        {
            var searched = await client.PostAsJsonAsync(Search, new { query = "searched while the database is down" });
            Assert.Equal(HttpStatusCode.OK, searched.StatusCode);
            retrievalId = JsonDocument.Parse(await searched.Content.ReadAsStringAsync()).RootElement.GetProperty("retrievalId").GetGuid();

            // Wait for the effect: either the portal reports that the log waits for the database, or it stopped itself.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!stopping.IsCancellationRequested && await SearchLogStatusAsync() != HealthStatus.Degraded && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.False(stopping.IsCancellationRequested, "The portal stopped itself when the database failed.");
            Assert.Equal(HealthStatus.Degraded, await SearchLogStatusAsync());
        }
        finally
        {
            await SetConnectionsAllowedAsync(true);
        }

        var written = DateTime.UtcNow.AddSeconds(60);
        while (!await RetrievalExistsAsync(retrievalId) && DateTime.UtcNow < written)
        {
            await Task.Delay(200);
        }

        Assert.True(await RetrievalExistsAsync(retrievalId), "The search made during the outage was never written.");
        Assert.Equal(HealthStatus.Healthy, await SearchLogStatusAsync());
        Assert.False(stopping.IsCancellationRequested);
    }

    [Fact]
    public async Task OneBadRecordInABatch_OtherSearchesAreStillWritten_AndTheirFeedbackIsAccepted()
    {
        var caller = await CallerAsync();
        var log = portal.Services.GetRequiredService<RetrievalLog>();
        var before = Record(caller);
        // What an unchecked filter with a NUL used to become: JSON that PostgreSQL's jsonb refuses.
        var bad = Record(caller, filters: "{\"excludeDomains\":[\"swe\\u0000bench\"]}");
        var after = Record(caller);

        await log.AddAsync(before);
        await log.AddAsync(bad);
        await log.AddAsync(after);
        var feedback = portal.Services.GetRequiredService<FeedbackService>();
        var first = await feedback.RecordAsync(caller, new FeedbackRequest(before.Id, "success", null, null));
        var last = await feedback.RecordAsync(caller, new FeedbackRequest(after.Id, "failure", null, null));
        await log.FlushAsync();

        Assert.True(first.Succeeded, string.Join("; ", first.Errors));
        Assert.True(last.Succeeded, string.Join("; ", last.Errors));
        Assert.False(await RetrievalExistsAsync(bad.Id));
    }

    [Fact]
    public async Task Feedback_WaitsOnlyForItsOwnSearch_NotForTheWholeQueue()
    {
        var caller = await CallerAsync();
        // A log whose background writer is not running: everything queued stays queued unless someone writes it.
        var log = new RetrievalLog(Contexts, NullLogger<RetrievalLog>.Instance);
        var queued = Enumerable.Range(0, 200).Select(_ => Record(caller)).ToList();
        foreach (var record in queued)
        {
            await log.AddAsync(record);
        }

        var feedback = new FeedbackService(Contexts, log, portal.Services.GetRequiredService<AuditTrail>(), TimeProvider.System);
        var result = await feedback.RecordAsync(caller, new FeedbackRequest(queued[^1].Id, "success", null, null));

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        await using var db = await Contexts.CreateDbContextAsync();
        var ids = queued.Select(r => r.Id).ToList();
        Assert.Equal([queued[^1].Id], await db.Retrievals.Where(r => ids.Contains(r.Id)).Select(r => r.Id).ToListAsync());
    }

    private async Task<ApiCaller> CallerAsync() =>
        await portal.Services.GetRequiredService<ApiKeyService>().AuthenticateAsync(await portal.SecretAsync(portal.Colleague, [ApiScopes.FeedbackWrite]))
        ?? throw new InvalidOperationException("The new key does not authenticate.");

    private static RetrievalRecord Record(ApiCaller caller, string filters = "{}") => new()
    {
        Id = Guid.CreateVersion7(), ApiKeyId = caller.KeyId, UserId = caller.UserId, At = DateTimeOffset.UtcNow,
        QueryHash = new string('a', 64), K = 3, Filters = filters, EmbeddingModel = "test",
    };

    private async Task<bool> RetrievalExistsAsync(Guid id)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        return await db.Retrievals.AnyAsync(r => r.Id == id);
    }

    private async Task<HealthStatus?> SearchLogStatusAsync()
    {
        var report = await portal.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "search-log");
        return report.Entries.TryGetValue("search-log", out var entry) ? entry.Status : null;
    }

    /// <summary>An outage of the portal's database only: it refuses new connections and its open ones are cut.</summary>
    private async Task SetConnectionsAllowedAsync(bool allowed)
    {
        var target = new NpgsqlConnectionStringBuilder(portal.ConnectionString);
        var admin = new NpgsqlConnectionStringBuilder(portal.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var alter = new NpgsqlCommand($"ALTER DATABASE \"{target.Database}\" ALLOW_CONNECTIONS {(allowed ? "true" : "false")}", connection);
        await alter.ExecuteNonQueryAsync();
        if (!allowed)
        {
            await using var cut = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @name", connection);
            cut.Parameters.AddWithValue("name", target.Database!);
            await cut.ExecuteNonQueryAsync();
        }
    }
}
