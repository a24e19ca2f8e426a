using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using MtlPortal.Persistence;
using Npgsql;

namespace MtlPortal.IntegrationTests.Persistence;

/// <summary>A test PostgreSQL server and its folder go away with the process that owns them, even when that process is killed.</summary>
public class PostgresWatchdogTests
{
    /// <summary>
    /// A stand-in for a test host, without dotnet: it runs the watchdog's command with its input from a pipe that only
    /// this shell writes to (opened read-write on a FIFO, closed in the watchdog), says so, then sleeps until killed.
    /// </summary>
    private const string Owner = """
        fifo=$1
        shift
        mkfifo "$fifo"
        exec 3<>"$fifo"
        "$@" <"$fifo" 3>&-
        rm "$fifo"
        echo watching
        exec sleep 600
        """;

    [Fact]
    public async Task OwnerKilledWithSigkill_ServerStopsAndItsFolderIsRemoved()
    {
        var root = TestPostgres.NewTempDirectory("watchdog");
        var data = Path.Combine(root, "data");
        var server = new EmbeddedPostgres(data, TestPostgres.BinDirectory, NullLogger.Instance, durable: false);
        var folderList = Path.Combine(root, "folders");
        await File.WriteAllTextAsync(folderList, root + "\n");
        using var owner = StartOwner(Path.Combine(root, "lifeline"), PostgresWatchdog.Command(folderList));
        try
        {
            Assert.Equal("watching", await owner.StandardOutput.ReadLineAsync());
            await server.StartAsync();
            Assert.Equal(1, await SelectOneAsync(server.ConnectionString("postgres")));

            // Held open, the server's log can still be read once the folder is gone.
            using var log = new StreamReader(new FileStream(Path.Combine(data, "server.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            owner.Kill();
            await owner.WaitForExitAsync();

            // The effect, however long the machine takes; the cap only keeps a broken watchdog from hanging the run.
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while ((Directory.Exists(root) || Answers(server.Port)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.False(Answers(server.Port), $"PostgreSQL still answers on port {server.Port} after its owner was killed.");
            Assert.False(File.Exists(Path.Combine(data, "postmaster.pid")), "postmaster.pid is still there.");
            Assert.False(Directory.Exists(root), $"{root} is still there.");

            // Stopped by the watchdog, not by PostgreSQL itself, which shuts down within a minute of losing its lock file.
            Assert.Contains("received immediate shutdown request", await log.ReadToEndAsync());
        }
        finally
        {
            if (!owner.HasExited)
            {
                owner.Kill();
            }

            if (Directory.Exists(root))
            {
                await server.StopAsync(immediate: true);
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static Process StartOwner(string fifo, IReadOnlyList<string> watchdog)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in (string[])["-c", Owner, "test-host", fifo, .. watchdog])
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("sh did not start.");
    }

    private static async Task<int> SelectOneAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    private static bool Answers(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
