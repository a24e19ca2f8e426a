using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.RegularExpressions;

namespace MtlPortal.Bench;

/// <summary>
/// The built web app (MtlPortal.Web.dll, same configuration as this bench) as a child process: its operator
/// commands for seeding, and the portal itself on a loopback port, on a given database. A separate process is
/// the honest setup: the server has its own runtime, GC and thread pool, as in production, and the load client
/// cannot share its JIT-warmed code or its allocations.
/// </summary>
internal sealed partial class PortalServer : IAsyncDisposable
{
    private const int LogLinesKept = 40;

    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();
    private readonly TaskCompletionSource<int> _indexLoaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PortalServer(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    /// <summary>Where the web app's build output is: written into this assembly by the csproj, per configuration.</summary>
    public static string WebDll =>
        typeof(PortalServer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PortalWebDll").Value!;

    /// <summary>Runs an operator command (<c>mtl create-user …</c>) against the database and returns what it printed.</summary>
    public static async Task<string> RunCommandAsync(
        string connectionString, IReadOnlyList<string> args, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var start = StartInfo(connectionString, args);
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(10), cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        string output = await stdout;
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"'mtl {args[0]}' failed (exit code {process.ExitCode}): {output}{await stderr}");
    }

    /// <summary>Starts the portal on a free loopback port; <see cref="WaitUntilReadyAsync"/> waits for it to answer.</summary>
    public static PortalServer Start(string connectionString, IReadOnlyDictionary<string, string> settings)
    {
        var address = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}");
        var start = StartInfo(connectionString, ["--urls", address.ToString().TrimEnd('/')]);
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var server = new PortalServer(process, address);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until /healthz answers 200 (the database is up and migrated).</summary>
    public async Task WaitUntilReadyAsync(HttpClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The portal exited with code {_process.ExitCode}.\n{RecentLog()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(Address, "/healthz"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The portal did not answer /healthz within {timeout.TotalSeconds} s.\n{RecentLog()}");
    }

    /// <summary>The count the portal logs when its pool index has loaded ("Pool index loaded: N approved memories").</summary>
    public async Task<int> IndexLoadedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await _indexLoaded.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The portal did not log its pool index load within {timeout.TotalSeconds} s.\n{RecentLog()}");
        }
    }

    public string RecentLog()
    {
        lock (_lastLines)
        {
            return "portal log (last lines):\n  " + string.Join("\n  ", _lastLines);
        }
    }

    /// <summary>Stops the portal as a service manager would (SIGTERM, so it flushes its search log), killing it if it hangs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
            {
                term?.WaitForExit(5_000);
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    /// <summary>For exit paths that cannot await (the process is ending): kill the child if it still runs.</summary>
    public void KillIfRunning()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone, or never started.
        }
    }

    private static ProcessStartInfo StartInfo(string connectionString, IReadOnlyList<string> args)
    {
        string dll = WebDll;
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The web app is not built at {dll}; build the bench (it builds the web app too).");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The build output holds appsettings.json, which the host reads from its working directory.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ConnectionStrings__Portal"] = connectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return start;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            while (_lastLines.Count > LogLinesKept)
            {
                _lastLines.Dequeue();
            }
        }

        if (IndexLoadedLine().Match(line) is { Success: true } match)
        {
            _indexLoaded.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"Pool index loaded: (\d+) approved memories")]
    private static partial Regex IndexLoadedLine();
}
