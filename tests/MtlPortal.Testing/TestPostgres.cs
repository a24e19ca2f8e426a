using Microsoft.Extensions.Logging.Abstractions;
using MtlPortal.Persistence;
using Npgsql;

namespace MtlPortal.Testing;

/// <summary>
/// One real PostgreSQL server per test run, started on first use in a temporary folder and stopped when the
/// test process exits. Each test class asks it for a database of its own.
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

    /// <summary>A fresh temporary folder that the postgres OS user can reach (tests may run as root).</summary>
    public static string NewTempDirectory(string purpose)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"mtl-{purpose}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static async Task<EmbeddedPostgres> StartAsync()
    {
        var root = NewTempDirectory("pg");
        var server = new EmbeddedPostgres(Path.Combine(root, "data"), BinDirectory, NullLogger.Instance, durable: false);
        await server.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            NpgsqlConnection.ClearAllPools();
            server.StopAsync(immediate: true).GetAwaiter().GetResult();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A folder left in /tmp is harmless; never fail a run over it.
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return server;
    }
}
