using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using MtlPortal.Persistence;
using Npgsql;

namespace MtlPortal.IntegrationTests.Persistence;

/// <summary>The embedded server as an operator meets it: first start, restart, a crash left behind, missing binaries.</summary>
public class EmbeddedPostgresTests
{
    [Fact]
    public async Task StartAsync_AfterStop_KeepsTheData()
    {
        var data = Path.Combine(TestPostgres.NewTempDirectory("restart"), "pgdata");
        var first = new EmbeddedPostgres(data, TestPostgres.BinDirectory, NullLogger.Instance, durable: false);
        await first.StartAsync();
        await first.EnsureDatabaseAsync("portal");
        await ExecuteAsync(first.ConnectionString("portal"), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
        await first.StopAsync();

        var second = new EmbeddedPostgres(data, TestPostgres.BinDirectory, NullLogger.Instance, durable: false);
        await second.StartAsync();
        try
        {
            Assert.Equal("still here", await ScalarAsync(second.ConnectionString("portal"), "SELECT v FROM kept"));
        }
        finally
        {
            await second.StopAsync(immediate: true);
        }
    }

    [Fact]
    public async Task StartAsync_ServerLeftRunningByACrashedPortal_TakesItOver()
    {
        var data = Path.Combine(TestPostgres.NewTempDirectory("stale"), "pgdata");
        var crashed = new EmbeddedPostgres(data, TestPostgres.BinDirectory, NullLogger.Instance, durable: false);
        await crashed.StartAsync();
        await crashed.EnsureDatabaseAsync("portal");

        // The portal process died without stopping its server: its owner file names a process that is gone.
        using (var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            await gone.WaitForExitAsync();
            await File.WriteAllTextAsync(crashed.OwnerFile, $"{gone.Id} {crashed.Port}\n");
        }

        var restarted = new EmbeddedPostgres(data, TestPostgres.BinDirectory, NullLogger.Instance, durable: false);
        await restarted.StartAsync();
        try
        {
            Assert.NotEqual(crashed.Port, restarted.Port);
            Assert.Equal("1", await ScalarAsync(restarted.ConnectionString("portal"), "SELECT 1::text"));
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(crashed.ConnectionString("portal"), "SELECT 1::text"));
        }
        finally
        {
            await restarted.StopAsync(immediate: true);
        }
    }

    [Fact]
    public async Task StartAsync_WhileAnotherLivePortalOwnsTheFolder_UsesItsServerAndLeavesItRunning()
    {
        var data = Path.Combine(TestPostgres.NewTempDirectory("attach"), "pgdata");
        var portal = new EmbeddedPostgres(data, TestPostgres.BinDirectory, NullLogger.Instance, durable: false);
        await portal.StartAsync();
        try
        {
            // An operator command run beside the portal: the folder's owner file names another live process.
            using var sleeper = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
            await File.WriteAllTextAsync(portal.OwnerFile, $"{sleeper.Id} {portal.Port}\n");

            var command = new EmbeddedPostgres(data, TestPostgres.BinDirectory, NullLogger.Instance, durable: false);
            await command.StartAsync();
            Assert.Equal(portal.Port, command.Port);
            await command.StopAsync();

            Assert.Equal("1", await ScalarAsync(portal.ConnectionString("postgres"), "SELECT 1::text"));
            sleeper.Kill();
        }
        finally
        {
            await portal.StopAsync(immediate: true);
        }
    }

    [Fact]
    public async Task StartAsync_WhileTheOwningPortalIsStillStarting_WaitsForItsServer()
    {
        var data = Path.Combine(TestPostgres.NewTempDirectory("starting"), "pgdata");
        using var starter = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        var portal = new EmbeddedPostgres(data, TestPostgres.BinDirectory, NullLogger.Instance, durable: false);
        await portal.StartAsync();
        try
        {
            // A portal (here: a live stand-in process) has claimed the folder but its server is not up yet.
            await File.WriteAllTextAsync(portal.OwnerFile, $"{starter.Id} 0\n");
            var command = new EmbeddedPostgres(data, TestPostgres.BinDirectory, NullLogger.Instance, durable: false);
            var waiting = command.StartAsync();
            await Task.Delay(500);
            Assert.False(waiting.IsCompleted);

            await File.WriteAllTextAsync(portal.OwnerFile, $"{starter.Id} {portal.Port}\n");
            await waiting.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal(portal.Port, command.Port);
            starter.Kill();
        }
        finally
        {
            await portal.StopAsync(immediate: true);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task StartAsync_NewCluster_RefusesConnectionsWithoutThePasswordOnlyThePortalUserCanRead()
    {
        var data = Path.Combine(TestPostgres.NewTempDirectory("password"), "pgdata");
        var server = new EmbeddedPostgres(data, TestPostgres.BinDirectory, NullLogger.Instance, durable: false);
        await server.StartAsync();
        try
        {
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(WithoutPassword(server.ConnectionString("postgres")), "SELECT 1::text"));
            Assert.Equal("1", await ScalarAsync(server.ConnectionString("postgres"), "SELECT 1::text"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(server.PasswordFile));
            Assert.Equal(Environment.UserName, await OwnerAsync(server.PasswordFile));
        }
        finally
        {
            await server.StopAsync(immediate: true);
        }
    }

    [Fact]
    public async Task StartAsync_ClusterOfAnOlderPortalThatTrustedLocalConnections_NowRequiresAPassword_AndKeepsItsData()
    {
        var data = Path.Combine(TestPostgres.NewTempDirectory("legacy"), "pgdata");
        var first = new EmbeddedPostgres(data, TestPostgres.BinDirectory, NullLogger.Instance, durable: false);
        await first.StartAsync();
        await first.EnsureDatabaseAsync("portal");
        await ExecuteAsync(first.ConnectionString("portal"), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('from before')");
        await first.StopAsync();

        // What older portals left behind: initdb's "trust" for every local connection, and no password file.
        await File.WriteAllTextAsync(Path.Combine(data, "pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n");
        File.Delete(first.PasswordFile);

        var upgraded = new EmbeddedPostgres(data, TestPostgres.BinDirectory, NullLogger.Instance, durable: false);
        await upgraded.StartAsync();
        try
        {
            Assert.Equal("from before", await ScalarAsync(upgraded.ConnectionString("portal"), "SELECT v FROM kept"));
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(WithoutPassword(upgraded.ConnectionString("portal")), "SELECT v FROM kept"));
            Assert.DoesNotContain("trust", (await File.ReadAllTextAsync(Path.Combine(data, "pg_hba.conf"))).Split('\n').Where(l => !l.StartsWith('#')));
        }
        finally
        {
            await upgraded.StopAsync(immediate: true);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task StartAsync_AsRootInAFolderPostgresCannotEnter_KeepsTheClusterWherePostgresCan_AndFindsItAgain()
    {
        var reachable = TestPostgres.NewTempDirectory("reachable");
        var private_ = TestPostgres.NewTempDirectory("private");
        File.SetUnixFileMode(private_, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var configured = Path.Combine(private_, "clone", ".mtl", "pgdata");

        var first = new EmbeddedPostgres(configured, TestPostgres.BinDirectory, NullLogger.Instance, durable: false, reachableRoot: reachable);
        await first.StartAsync();
        await first.EnsureDatabaseAsync("portal");
        await ExecuteAsync(first.ConnectionString("portal"), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')");
        await first.StopAsync();

        var second = new EmbeddedPostgres(configured, TestPostgres.BinDirectory, NullLogger.Instance, durable: false, reachableRoot: reachable);
        await second.StartAsync();
        try
        {
            // Only root hands the server to the postgres OS user; anyone else runs it themselves, in their own folder.
            if (Environment.IsPrivilegedProcess)
            {
                Assert.StartsWith(reachable, second.DataDirectory, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(configured, second.DataDirectory);
            }

            Assert.Equal(first.DataDirectory, second.DataDirectory);
            Assert.Equal("survives", await ScalarAsync(second.ConnectionString("portal"), "SELECT v FROM kept"));
        }
        finally
        {
            await second.StopAsync(immediate: true);
        }
    }

    private static string WithoutPassword(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Password = null, Pooling = false }.ConnectionString;

    private static async Task<string> OwnerAsync(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%U", path]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var owner = (await stat.StandardOutput.ReadToEndAsync()).Trim();
        await stat.WaitForExitAsync();
        return owner;
    }

    [Fact]
    public void FindBinDirectory_ConfiguredFolderWithoutPostgres_IsRejectedWithInstallAdvice()
    {
        var empty = TestPostgres.NewTempDirectory("nobin");

        Assert.Null(EmbeddedPostgres.FindBinDirectory(empty));
        var message = EmbeddedPostgres.MissingBinariesMessage(empty);
        Assert.Contains("apt-get install -y postgresql", message);
        Assert.Contains("ConnectionStrings:Portal", message);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string?)await command.ExecuteScalarAsync();
    }
}
