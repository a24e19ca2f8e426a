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

    /// <summary>Where clusters go, as root, when the configured folder is one the postgres OS user cannot enter.</summary>
    public const string DefaultReachableRoot = "/var/lib/mtl-portal";

    private readonly string _reachableRoot;
    private string? _password;

    /// <param name="dataDirectory">The server's data folder (PGDATA); created and initialised when missing.</param>
    /// <param name="binDirectory">The folder that holds initdb and pg_ctl.</param>
    /// <param name="logger">Receives one line per step.</param>
    /// <param name="durable">False turns off fsync and friends: for test servers whose data may be lost.</param>
    /// <param name="reachableRoot">As root: where the cluster goes when the postgres OS user cannot reach <paramref name="dataDirectory"/>.</param>
    public EmbeddedPostgres(string dataDirectory, string binDirectory, ILogger logger, bool durable = true, string reachableRoot = DefaultReachableRoot)
    {
        ConfiguredDataDirectory = Path.GetFullPath(dataDirectory);
        DataDirectory = ConfiguredDataDirectory;
        _binDirectory = binDirectory;
        _logger = logger;
        _durable = durable;
        _reachableRoot = reachableRoot;
    }

    /// <summary>The data folder as configured.</summary>
    public string ConfiguredDataDirectory { get; }

    /// <summary>
    /// The data folder in use: the configured one, or, as root, when the postgres OS user cannot enter it (a clone
    /// under /root, say), a folder under <see cref="DefaultReachableRoot"/> named after the configured one, so the
    /// same working directory finds the same data at every start.
    /// </summary>
    public string DataDirectory { get; private set; }

    /// <summary>
    /// Beside the data folder, readable only by the portal's OS user: the superuser's password. The server accepts
    /// no connection without it (SCRAM), so other local users cannot run programs as postgres through it.
    /// </summary>
    public string PasswordFile => DataDirectory.TrimEnd(Path.DirectorySeparatorChar) + ".password";

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
            Password = _password,
            Database = database,
            Pooling = true,
        }.ConnectionString;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_started || _attached)
        {
            return;
        }

        await ChooseReachableDataDirectoryAsync(cancellationToken);
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
            await RequirePasswordAsync(cancellationToken);
            Port = FreeLoopbackPort();

            var settings = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''";
            if (!_durable)
            {
                // A test server hosts many portals at once (a database per test class, each with pools for the app,
                // the search log, LISTEN and the job engine), far past the default of 100 connections.
                settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500";
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
    /// As root the server runs as the postgres OS user, which must enter every folder above the data folder. When it
    /// cannot (a clone under /root, or any 0700 folder), the cluster lives in a folder it can reach, named after
    /// the configured one so that data survives restarts; the console says where.
    /// </summary>
    private async Task ChooseReachableDataDirectoryAsync(CancellationToken cancellationToken)
    {
        if (!RunsAsRoot || File.Exists(Path.Combine(ConfiguredDataDirectory, "PG_VERSION")))
        {
            return;
        }

        var nearest = ConfiguredDataDirectory;
        while (!Directory.Exists(nearest) && Path.GetDirectoryName(nearest) is { } parent)
        {
            nearest = parent;
        }

        if ((await RunAsync("runuser", ["-u", ServiceUser, "--", "test", "-x", nearest], cancellationToken)).ExitCode == 0)
        {
            return;
        }

        var slug = new string([.. ConfiguredDataDirectory.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ConfiguredDataDirectory)))[..12];
        var home = Path.Combine(_reachableRoot, $"{(slug.Length > 60 ? slug[^60..] : slug)}-{hash}");
        Directory.CreateDirectory(_reachableRoot);
        Directory.CreateDirectory(home);

        // Others may pass through, to reach the cluster folder that postgres owns, but not list or read.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        DataDirectory = Path.Combine(home, "pgdata");
        _logger.LogWarning(
            "The data folder {Configured} is in a folder the '{User}' OS user cannot enter, and the portal runs as root, so PostgreSQL keeps its data in {DataDirectory} instead (set Database:DataDirectory to choose another folder)",
            ConfiguredDataDirectory, ServiceUser, DataDirectory);
    }

    /// <summary>
    /// Makes the server require the superuser's password (SCRAM) for every connection, local ones included. A new
    /// cluster, and one created by an older portal that trusted every local connection, gets a fresh random password
    /// (kept in <see cref="PasswordFile"/>, mode 0600) and a pg_hba.conf that asks for it. The password is set in
    /// single-user mode, so the server never listens while it trusts.
    /// </summary>
    private async Task RequirePasswordAsync(CancellationToken cancellationToken)
    {
        var hba = Path.Combine(DataDirectory, "pg_hba.conf");
        if (File.Exists(PasswordFile) && File.Exists(hba) && !TrustsAnyone(await File.ReadAllLinesAsync(hba, cancellationToken)))
        {
            _password = await ReadPasswordAsync(cancellationToken);
            return;
        }

        var password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var set = await RunToolAsync("postgres", ["--single", "-D", DataDirectory, "postgres"], cancellationToken, $"ALTER ROLE \"{ServiceUser}\" PASSWORD '{password}';\n");
        if (set.ExitCode != 0 || set.Output.Contains("ERROR", StringComparison.Ordinal))
        {
            throw new PortalStartupException($"Could not set the database password in {DataDirectory}: {set.Output.Trim()}");
        }

        await File.WriteAllTextAsync(PasswordFile, "", cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await File.WriteAllTextAsync(PasswordFile, password + "\n", cancellationToken);

        // Rewriting the existing file keeps its owner (postgres, when the portal runs as root).
        await File.WriteAllTextAsync(hba, $"""
            # Written by MTL Portal: every connection needs the password kept in {PasswordFile}.
            local all all scram-sha-256
            host all all 127.0.0.1/32 scram-sha-256
            host all all ::1/128 scram-sha-256

            """, cancellationToken);
        _password = password;
        _logger.LogInformation("The database now requires a password for every connection; it is kept in {PasswordFile}", PasswordFile);
    }

    private static bool TrustsAnyone(IEnumerable<string> hbaLines) =>
        hbaLines.Select(l => l.Split('#', 2)[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Any(words => words.Length > 0 && words.Contains("trust", StringComparer.OrdinalIgnoreCase));

    private async Task<string> ReadPasswordAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await File.ReadAllTextAsync(PasswordFile, cancellationToken)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PortalStartupException(
                $"The database password in {PasswordFile} cannot be read ({e.Message}). Run the portal and its commands as the OS user that created the data folder {DataDirectory}.", e);
        }
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
                _password = await ReadPasswordAsync(cancellationToken);
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

    private Task<ToolResult> RunToolAsync(string tool, IReadOnlyList<string> args, CancellationToken cancellationToken, string? input = null)
    {
        var path = Path.Combine(_binDirectory, tool);
        return RunsAsRoot
            ? RunAsync("runuser", ["-u", ServiceUser, "--", path, .. args], cancellationToken, input)
            : RunAsync(path, args, cancellationToken, input);
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

    private static async Task<ToolResult> RunAsync(string file, IReadOnlyList<string> args, CancellationToken cancellationToken, string? input = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = input is not null,
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
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
                process.StandardInput.Close();
            }

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
