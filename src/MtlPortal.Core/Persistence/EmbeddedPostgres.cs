using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MtlPortal.Persistence;

/// <summary>
/// A PostgreSQL server that the portal (or a test run) owns: initialised on first use, started on a free
/// loopback port, stopped on shutdown. As root it runs the server as the <c>postgres</c> OS user, because
/// PostgreSQL refuses to run as root.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string ServiceUser = "postgres";

    private readonly string _binDirectory;
    private readonly ILogger _logger;
    private readonly bool _durable;
    private bool _started;
    private bool _attached;

    /// <param name="dataDirectory">The server's data folder (PGDATA); created and initialised when missing.</param>
    /// <param name="binDirectory">The folder that holds initdb and pg_ctl.</param>
    /// <param name="logger">Receives one line per step.</param>
    /// <param name="durable">False turns off fsync and friends: for test servers whose data may be lost.</param>
    public EmbeddedPostgres(string dataDirectory, string binDirectory, ILogger logger, bool durable = true)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        _binDirectory = binDirectory;
        _logger = logger;
        _durable = durable;
    }

    public string DataDirectory { get; }

    public int Port { get; private set; }

    private static bool RunsAsRoot => Environment.IsPrivilegedProcess;

    /// <summary>
    /// The folder with initdb and pg_ctl: the configured one, else the newest Debian-style
    /// <c>/usr/lib/postgresql/N/bin</c>, else the one on PATH; null when there is none.
    /// </summary>
    public static string? FindBinDirectory(string? configured)
    {
        static bool HasTools(string dir) => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));

        if (!string.IsNullOrWhiteSpace(configured))
        {
            return HasTools(configured) ? configured : null;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: double.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(d => HasTools(d.Dir))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Dir)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(HasTools);
    }

    public static string MissingBinariesMessage(string? configured) =>
        (string.IsNullOrWhiteSpace(configured)
            ? "PostgreSQL server programs (initdb, pg_ctl) were not found, so the portal cannot run its own database."
            : $"Database:BinDirectory is '{configured}', but initdb and pg_ctl are not there.")
        + " Install PostgreSQL (Debian/Ubuntu: 'sudo apt-get install -y postgresql'; Fedora: 'sudo dnf install postgresql-server';"
        + " macOS: 'brew install postgresql'), or set Database:BinDirectory to the folder that holds them,"
        + " or use an existing server by setting ConnectionStrings:Portal"
        + " (environment variable ConnectionStrings__Portal=\"Host=...;Database=...;Username=...;Password=...\").";

    /// <summary>A connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = ServiceUser,
            Database = database,
            Pooling = true,
        }.ConnectionString;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_started || _attached)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(DataDirectory)!);
        if (ReadOwner() is { } owner && owner.Pid != Environment.ProcessId && IsAlive(owner.Pid))
        {
            await AttachAsync(owner.Pid, cancellationToken);
            return;
        }

        // Claim the folder first: a command started while this portal initialises or starts its server waits for
        // it instead of taking the half-made server for a stale one.
        await WriteOwnerAsync(0, cancellationToken);
        try
        {
            await PrepareDataDirectoryAsync(cancellationToken);
            await ClearStaleServerAsync(cancellationToken);
            Port = FreeLoopbackPort();

            var settings = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''";
            if (!_durable)
            {
                settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            }

            var started = await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", settings, "start"], cancellationToken);
            if (started.ExitCode != 0)
            {
                throw new PortalStartupException($"PostgreSQL did not start (pg_ctl exit code {started.ExitCode}): {started.Output.Trim()} See {LogFile}.");
            }

            await WriteOwnerAsync(Port, cancellationToken);
        }
        catch
        {
            File.Delete(OwnerFile);
            throw;
        }

        _started = true;
        _logger.LogInformation("PostgreSQL started on 127.0.0.1:{Port} with data in {DataDirectory}", Port, DataDirectory);
    }

    /// <summary>Creates <paramref name="database"/> when it does not exist yet.</summary>
    public async Task EnsureDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            _logger.LogInformation("Created database {Database}", database);
        }
    }

    /// <summary>Stops the server: "fast" waits for it to shut down cleanly, "immediate" (tests) does not.</summary>
    public async Task StopAsync(bool immediate = false)
    {
        _attached = false;
        if (!_started)
        {
            return;
        }

        _started = false;
        NpgsqlConnection.ClearAllPools();
        var stopped = await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "-t", "60", "stop"], CancellationToken.None);
        if (stopped.ExitCode != 0 && await IsServerRunningAsync(CancellationToken.None))
        {
            _logger.LogWarning("PostgreSQL did not stop cleanly: {Output}", stopped.Output.Trim());
            return;
        }

        File.Delete(OwnerFile);
        _logger.LogInformation("PostgreSQL stopped");
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>
    /// Beside the data folder, not in it (initdb wants an empty folder): the PID of the portal that owns the
    /// server, and its port once the server is up.
    /// </summary>
    public string OwnerFile => DataDirectory.TrimEnd(Path.DirectorySeparatorChar) + ".owner";

    private string LogFile => Path.Combine(DataDirectory, "server.log");

    private async Task PrepareDataDirectoryAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            return;
        }

        if (Directory.Exists(DataDirectory) && Directory.EnumerateFileSystemEntries(DataDirectory).Any())
        {
            throw new PortalStartupException(
                $"The data folder {DataDirectory} is not empty but holds no PostgreSQL cluster. Empty it, or set Database:DataDirectory to another folder.");
        }

        Directory.CreateDirectory(DataDirectory);
        if (RunsAsRoot)
        {
            await RunCheckedAsync("chown", [$"{ServiceUser}:{ServiceUser}", DataDirectory], cancellationToken);
            var reachable = await RunAsync("runuser", ["-u", ServiceUser, "--", "test", "-w", DataDirectory], cancellationToken);
            if (reachable.ExitCode != 0)
            {
                throw new PortalStartupException(
                    $"The portal runs as root, so PostgreSQL runs as the '{ServiceUser}' OS user, which cannot reach {DataDirectory}. " +
                    "Set Database:DataDirectory to a folder that user can reach (for example /var/lib/mtl-portal/pgdata), or run the portal as a normal user.");
            }
        }

        _logger.LogInformation("Initialising a PostgreSQL data folder in {DataDirectory} (first start)", DataDirectory);
        await RunToolCheckedAsync("initdb", ["-D", DataDirectory, "-U", ServiceUser, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], cancellationToken);
    }

    /// <summary>
    /// While a portal runs, an operator command (or a second portal) on the same data folder uses that portal's
    /// server instead of starting another, waiting for it while it starts; it leaves the server running when it ends.
    /// </summary>
    private async Task AttachAsync(int ownerPid, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (ReadOwner() is { Port: > 0 } owner && owner.Pid == ownerPid && await IsServerRunningAsync(cancellationToken))
            {
                Port = owner.Port;
                _attached = true;
                _logger.LogInformation("Using the PostgreSQL server of the running portal process {Pid} on 127.0.0.1:{Port}", ownerPid, Port);
                return;
            }

            if (!IsAlive(ownerPid) || DateTime.UtcNow > deadline)
            {
                throw new PortalStartupException(
                    $"The portal process {ownerPid} owns the data folder {DataDirectory} but its database did not come up. Wait for it to start (or stop it) and try again.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private (int Pid, int Port)? ReadOwner()
    {
        try
        {
            var parts = File.ReadAllText(OwnerFile).Split(' ', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 2 && int.TryParse(parts[0], out var pid) && int.TryParse(parts[1], out var port) ? (pid, port) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private Task WriteOwnerAsync(int port, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(OwnerFile, $"{Environment.ProcessId} {port}\n", cancellationToken);

    /// <summary>
    /// A server may still run on this data folder after the process that started it crashed; stop it so this
    /// start owns the folder. A crash may also leave only its lock file behind; remove that.
    /// </summary>
    private async Task ClearStaleServerAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            return;
        }

        if (await IsServerRunningAsync(cancellationToken))
        {
            _logger.LogWarning("A PostgreSQL server left running by an earlier portal process uses {DataDirectory}; stopping it", DataDirectory);
            await RunToolCheckedAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], cancellationToken);
        }
        else
        {
            // The server crashed with its process: PostgreSQL would usually clear this itself, unless the PID was reused.
            File.Delete(Path.Combine(DataDirectory, "postmaster.pid"));
        }
    }

    private async Task<bool> IsServerRunningAsync(CancellationToken cancellationToken) =>
        (await RunToolAsync("pg_ctl", ["-D", DataDirectory, "status"], cancellationToken)).ExitCode == 0;

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task<ToolResult> RunToolAsync(string tool, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_binDirectory, tool);
        return RunsAsRoot
            ? RunAsync("runuser", ["-u", ServiceUser, "--", path, .. args], cancellationToken)
            : RunAsync(path, args, cancellationToken);
    }

    private async Task RunToolCheckedAsync(string tool, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var result = await RunToolAsync(tool, args, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new PortalStartupException($"{tool} failed (exit code {result.ExitCode}): {result.Output.Trim()}");
        }
    }

    private static async Task RunCheckedAsync(string file, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var result = await RunAsync(file, args, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new PortalStartupException($"{file} failed (exit code {result.ExitCode}): {result.Output.Trim()}");
        }
    }

    private static async Task<ToolResult> RunAsync(string file, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new PortalStartupException($"Could not start {file}.");
        }
        catch (Win32Exception e)
        {
            throw new PortalStartupException($"Could not start {file}: {e.Message}", e);
        }

        using (process)
        {
            // pg_ctl start leaves the server holding inherited pipes open, so read to the process's exit, not to EOF.
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var output = await FirstOrEmptyAsync(stdout) + await FirstOrEmptyAsync(stderr);
            return new ToolResult(process.ExitCode, output);
        }
    }

    private static async Task<string> FirstOrEmptyAsync(Task<string> read) =>
        await Task.WhenAny(read, Task.Delay(TimeSpan.FromMilliseconds(200))) == read ? await read : "";

    private readonly record struct ToolResult(int ExitCode, string Output);
}
