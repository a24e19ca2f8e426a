using Microsoft.Extensions.Logging.Abstractions;
using MtlPortal.Persistence;

namespace MtlPortal.Testing;

/// <summary>
/// One real PostgreSQL server per test run, started on first use in a temporary folder; it goes with the test process
/// (see <see cref="PostgresWatchdog"/>). Each test class asks it for a database of its own.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<Task<EmbeddedPostgres>> Server = new(StartAsync);

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string? prefix = null)
    {
        var server = await Server.Value;
        var name = $"{prefix ?? "t"}_{Guid.NewGuid().ToString("N")[..20]}".ToLowerInvariant();
        await server.EnsureDatabaseAsync(name);
        return server.ConnectionString(name);
    }

    /// <summary>The bin folder of the PostgreSQL that the tests use (so tests can start servers of their own).</summary>
    public static string BinDirectory =>
        EmbeddedPostgres.FindBinDirectory(Environment.GetEnvironmentVariable("MTL_TEST_PG_BIN"))
        ?? throw new InvalidOperationException(EmbeddedPostgres.MissingBinariesMessage(null));

    /// <summary>
    /// A fresh temporary folder that the postgres OS user can reach (tests may run as root). It goes when the test
    /// process ends, with any server still running in it.
    /// </summary>
    public static string NewTempDirectory(string purpose)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"mtl-{purpose}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(dir);
        PostgresWatchdog.Watch(dir);
        return dir;
    }

    private static async Task<EmbeddedPostgres> StartAsync()
    {
        // No exit handler stops the server: that would not run when the test process is killed. The folder is watched
        // before the server starts in it, so there is no moment in which a killed test run would leave it behind.
        var server = new EmbeddedPostgres(Path.Combine(NewTempDirectory("pg"), "data"), BinDirectory, NullLogger.Instance, durable: false);
        await server.StartAsync();
        return server;
    }
}
