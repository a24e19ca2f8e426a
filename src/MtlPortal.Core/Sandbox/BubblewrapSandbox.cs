using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MtlPortal.Sandbox;

/// <summary>
/// The sandbox on Linux: bubblewrap gives each program a fresh folder (mounted at <c>/sandbox</c>, the only place
/// it may write), no network, its own PID, IPC and UTS namespaces and session, a cleared environment, and the system
/// folders read-only; <c>prlimit</c> sets its CPU, address-space, process, file-size and open-file limits; a
/// wall-clock timeout kills the whole PID namespace. Run as root, each program also gets a user id of its own
/// (through <c>setpriv</c>), so the process limit counts its processes alone rather than every root process.
/// </summary>
public sealed partial class BubblewrapSandbox : ICodeSandbox, IDisposable
{
    /// <summary>What the portal says when bubblewrap is missing, in the README's words.</summary>
    public const string InstallHint = "Install bubblewrap and util-linux (Debian and Ubuntu: apt-get install -y bubblewrap util-linux; Fedora: dnf install bubblewrap util-linux).";

    private const string Home = "/sandbox";

    private readonly SandboxOptions _options;
    private readonly ILogger<BubblewrapSandbox> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly Lazy<Setup> _setup;

    public BubblewrapSandbox(IOptions<SandboxOptions> options, ILogger<BubblewrapSandbox> logger)
    {
        _options = options.Value;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.EffectiveConcurrency);
        _setup = new Lazy<Setup>(() => Setup.Find(_options), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Why the sandbox cannot run anything here (with how to fix it), or null when it can.</summary>
    public string? UnavailableReason => _setup.Value.Problem;

    public IReadOnlyCollection<SandboxLanguage> AvailableLanguages =>
        _setup.Value.Problem is null ? [.. SandboxLanguages.All.Where(_setup.Value.Toolchains.Has)] : [];

    /// <summary>Throws <see cref="SandboxUnavailableException"/> when the sandbox cannot run programs here.</summary>
    public void EnsureAvailable()
    {
        if (UnavailableReason is { } problem)
        {
            throw new SandboxUnavailableException(problem);
        }
    }

    public async Task<SandboxResult> RunAsync(SandboxProgram program, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(program);
        EnsureAvailable();
        var setup = _setup.Value;
        if (!setup.Toolchains.Has(program.Language))
        {
            return SandboxResult.Error($"There is no {program.Language.Name()} toolchain on this machine ({string.Join(", ", Toolchains.Needs(program.Language))} not found). {ToolchainHint(program.Language)}");
        }

        await _slots.WaitAsync(cancellationToken);
        var stopwatch = Stopwatch.StartNew();
        var folder = Path.Combine(_options.WorkRoot is { Length: > 0 } root ? root : Path.GetTempPath(), "mtl-sandbox-" + Guid.NewGuid().ToString("N"));
        try
        {
            var plan = LanguagePlans.For(program.Language, program.Source, setup.Toolchains, _options);
            var uid = setup.Privileged ? 200_000 + Random.Shared.Next(1_000_000) : (int?)null;
            PrepareFolder(folder, plan, program.Source, uid);

            if (plan.Compile is { } compile)
            {
                var built = await ExecuteAsync(setup, folder, uid, plan, compile, TimeSpan.FromSeconds(_options.CompileTimeoutSeconds), _options.LargeRuntimeMemoryMb, cancellationToken);
                if (built.SandboxFailure is { } failure)
                {
                    return SandboxResult.Error(failure, stopwatch.Elapsed);
                }

                if (built.TimedOut || built.ExitCode != 0)
                {
                    var why = built.TimedOut ? $"The compiler did not finish within {_options.CompileTimeoutSeconds:0.#} s.\n" : "";
                    return new SandboxResult(SandboxVerdict.CompileError, built.ExitCode, why + built.Output, built.Truncated, stopwatch.Elapsed);
                }
            }

            var timeLimit = program.TimeLimit ?? TimeSpan.FromSeconds(_options.TimeoutSeconds);
            var ran = await ExecuteAsync(setup, folder, uid, plan, plan.Run, timeLimit, plan.LargeRuntime ? _options.LargeRuntimeMemoryMb : _options.MemoryMb, cancellationToken);
            if (ran.SandboxFailure is { } runFailure)
            {
                return SandboxResult.Error(runFailure, stopwatch.Elapsed);
            }

            var verdict = Classify(program.Language, ran);
            var output = ran.TimedOut ? $"Killed after {timeLimit.TotalSeconds:0.#} s of wall-clock time.\n{ran.Output}" : ran.Output;
            return new SandboxResult(verdict, ran.TimedOut ? null : ran.ExitCode, output, ran.Truncated, stopwatch.Elapsed);
        }
        catch (IOException e)
        {
            return SandboxResult.Error($"The sandbox's folder could not be prepared: {e.Message}", stopwatch.Elapsed);
        }
        catch (UnauthorizedAccessException e)
        {
            return SandboxResult.Error($"The sandbox's folder could not be prepared: {e.Message}", stopwatch.Elapsed);
        }
        finally
        {
            _slots.Release();
            TryDelete(folder);
        }
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>How to install a language's toolchain, as the README says.</summary>
    public static string ToolchainHint(SandboxLanguage language) => language switch
    {
        SandboxLanguage.Python => "Install Python 3 (apt-get install -y python3) or set Sandbox:Toolchains:python3.",
        SandboxLanguage.JavaScript => "Install Node.js (apt-get install -y nodejs) or set Sandbox:Toolchains:node.",
        SandboxLanguage.Java => "Install a JDK (apt-get install -y default-jdk-headless) or set Sandbox:Toolchains:javac and :java.",
        SandboxLanguage.Cpp => "Install g++ (apt-get install -y g++) or set Sandbox:Toolchains:g++.",
        SandboxLanguage.Rust => "Install Rust (apt-get install -y rustc, or rustup) or set Sandbox:Toolchains:rustc.",
        _ => "Install Go (apt-get install -y golang-go) or set Sandbox:Toolchains:go.",
    };

    private static void PrepareFolder(string folder, LanguagePlan plan, string source, int? uid)
    {
        Directory.CreateDirectory(folder);
        Directory.CreateDirectory(Path.Combine(folder, "tmp"));
        File.WriteAllText(Path.Combine(folder, plan.FileName), source, new UTF8Encoding(false));
        foreach (var (name, content) in plan.ExtraFiles)
        {
            File.WriteAllText(Path.Combine(folder, name), content, new UTF8Encoding(false));
        }

        if (uid is { } id)
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Prepend(folder))
            {
                Chown(path, id, id);
            }
        }
    }

    private static SandboxVerdict Classify(SandboxLanguage language, Execution ran)
    {
        if (ran.TimedOut)
        {
            return SandboxVerdict.Timeout;
        }

        // bubblewrap's init reports a child killed by signal N as exit status 128 + N.
        var signal = ran.ExitCode is > 128 and < 160 ? ran.ExitCode - 128 : null;
        if (ran.ExitCode == 0)
        {
            return SandboxVerdict.Passed;
        }

        if (signal is 24)
        {
            return SandboxVerdict.Timeout; // SIGXCPU: the CPU-time limit
        }

        if (OutOfMemoryMarker().IsMatch(ran.Output))
        {
            return SandboxVerdict.OutOfMemory;
        }

        // C and C++ assert() aborts: a failed test, not a crash.
        if (signal is 6 && FailedAssertion().IsMatch(ran.Output))
        {
            return SandboxVerdict.Failed;
        }

        if (signal is not null)
        {
            return SandboxVerdict.Crashed;
        }

        if (language is SandboxLanguage.Python && PythonSyntaxError().IsMatch(ran.Output) && !ran.Output.Contains("Traceback (most recent call last)", StringComparison.Ordinal))
        {
            return SandboxVerdict.CompileError;
        }

        if (language is SandboxLanguage.JavaScript && JavaScriptSyntaxError().IsMatch(ran.Output))
        {
            return SandboxVerdict.CompileError;
        }

        return SandboxVerdict.Failed;
    }

    private async Task<Execution> ExecuteAsync(Setup setup, string folder, int? uid, LanguagePlan plan, IReadOnlyList<string> command, TimeSpan wallClock, int memoryMb, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(setup.Bwrap)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in BwrapArguments(setup, folder, uid, plan, command, memoryMb))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            await ProcessSpawner.StartAsync(process);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return Execution.Failure($"bubblewrap could not be started: {e.Message}. {InstallHint}");
        }

        process.StandardInput.Close();
        var stdout = CappedReader.ReadAsync(process.StandardOutput.BaseStream, _options.MaxOutputBytes);
        var stderr = CappedReader.ReadAsync(process.StandardError.BaseStream, _options.MaxOutputBytes);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wallClock);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Killing bubblewrap kills the namespace's init, and with it every process the program started.
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
        }

        var (outText, outCut) = await stdout;
        var (errText, errCut) = await stderr;
        var output = errText.Length == 0 ? outText : outText.Length == 0 ? errText : outText.TrimEnd('\n') + "\n" + errText;
        if (!timedOut && process.ExitCode != 0 && errText.StartsWith("bwrap:", StringComparison.Ordinal))
        {
            _logger.LogWarning("The sandbox failed to start a program: {Error}", errText.Trim());
            return Execution.Failure($"The sandbox failed: {errText.Trim()}");
        }

        return new Execution(timedOut ? null : process.ExitCode, output, outCut || errCut, timedOut, null);
    }

    private IEnumerable<string> BwrapArguments(Setup setup, string folder, int? uid, LanguagePlan plan, IReadOnlyList<string> command, int memoryMb)
    {
        var args = new List<string>();
        if (uid is not null)
        {
            // Everything --unshare-all does except the user namespace: as root, a real user id of the program's own
            // is what makes RLIMIT_NPROC count only its processes; setpriv needs these two capabilities to switch.
            args.AddRange(["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try", "--cap-add", "CAP_SETUID,CAP_SETGID"]);
        }
        else
        {
            args.Add("--unshare-all");
        }

        args.AddRange(["--die-with-parent", "--new-session", "--clearenv", "--ro-bind", "/usr", "/usr"]);
        foreach (var top in new[] { "/bin", "/sbin", "/lib", "/lib32", "/lib64" })
        {
            var info = new FileInfo(top);
            if (info.LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, top]);
            }
            else if (Directory.Exists(top))
            {
                args.AddRange(["--ro-bind", top, top]);
            }
        }

        var made = new HashSet<string>(StringComparer.Ordinal) { "/", "/usr" };
        foreach (var mount in setup.EtcMounts.Concat(plan.Mounts))
        {
            // bubblewrap creates missing parents 0700, which the program's own user could not pass through.
            for (var parent = Path.GetDirectoryName(mount); parent is not null && made.Add(parent); parent = Path.GetDirectoryName(parent))
            {
                args.AddRange(["--perms", "0755", "--dir", parent]);
            }

            args.AddRange(["--ro-bind", mount, mount]);
        }

        args.AddRange(["--proc", "/proc", "--dev", "/dev", "--bind", folder, Home, "--symlink", Home + "/tmp", "/tmp", "--chdir", Home]);
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = string.Join(':', plan.PathFolders.Append("/usr/local/bin").Append("/usr/bin").Append("/bin")),
            ["HOME"] = Home,
            ["TMPDIR"] = Home + "/tmp",
            ["LANG"] = "C.UTF-8",
        };
        foreach (var (name, value) in plan.Environment)
        {
            environment[name] = value;
        }

        foreach (var (name, value) in environment)
        {
            args.AddRange(["--setenv", name, value]);
        }

        args.Add("--");
        if (uid is { } id)
        {
            args.AddRange([setup.Setpriv!, $"--reuid={id}", $"--regid={id}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]);
        }

        args.AddRange([
            setup.Prlimit,
            $"--cpu={_options.CpuSeconds}",
            $"--as={(long)memoryMb * 1024 * 1024}",
            $"--nproc={_options.MaxProcesses}",
            $"--fsize={(long)_options.MaxFileSizeMb * 1024 * 1024}",
            $"--nofile={_options.MaxOpenFiles}",
            "--core=0",
        ]);
        args.AddRange(command);
        return args;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own just now.
        }
    }

    private void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("A sandbox folder could not be removed: {Folder}: {Error}", folder, e.Message);
        }
    }

    // LibraryImport would need unsafe code enabled for the whole assembly, for one call.
#pragma warning disable SYSLIB1054
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "chown", CharSet = System.Runtime.InteropServices.CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int Chown(string path, int owner, int group);
#pragma warning restore SYSLIB1054

    [System.Text.RegularExpressions.GeneratedRegex(@"MemoryError|std::bad_alloc|java\.lang\.OutOfMemoryError|JavaScript heap out of memory|memory allocation of \d+ bytes failed|runtime: out of memory|fatal error: out of memory|Cannot allocate memory")]
    private static partial System.Text.RegularExpressions.Regex OutOfMemoryMarker();

    [System.Text.RegularExpressions.GeneratedRegex(@"^(SyntaxError|IndentationError|TabError):", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex PythonSyntaxError();

    [System.Text.RegularExpressions.GeneratedRegex(@"Assertion [`'].*' failed\.")]
    private static partial System.Text.RegularExpressions.Regex FailedAssertion();

    [System.Text.RegularExpressions.GeneratedRegex(@"^SyntaxError:", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex JavaScriptSyntaxError();

    private sealed record Execution(int? ExitCode, string Output, bool Truncated, bool TimedOut, string? SandboxFailure)
    {
        public static Execution Failure(string message) => new(null, "", false, false, message);
    }

    /// <summary>What the sandbox found on this machine, once.</summary>
    private sealed record Setup(string Bwrap, string Prlimit, string? Setpriv, bool Privileged, Toolchains Toolchains, IReadOnlyList<string> EtcMounts, string? Problem)
    {
        public static Setup Find(SandboxOptions options)
        {
            var bwrap = options.BwrapPath is { Length: > 0 } configured ? configured : Toolchains.FindOnPath("bwrap");
            var prlimit = Toolchains.FindOnPath("prlimit");
            var setpriv = Toolchains.FindOnPath("setpriv");
            var privileged = Environment.IsPrivilegedProcess;
            string? problem = null;
            if (bwrap is null || !File.Exists(bwrap))
            {
                problem = $"The sandbox needs bubblewrap (bwrap), which is not installed. {InstallHint}";
            }
            else if (prlimit is null || (privileged && setpriv is null))
            {
                problem = $"The sandbox needs prlimit and setpriv (util-linux), which are not installed. {InstallHint}";
            }

            // Symbolic links in /usr/bin point into /etc/alternatives; the JDK reads its settings from /etc/java-*.
            var etc = new List<string>();
            // OpenSSL (node) reads /etc/ssl/openssl.cnf; /etc/ssl/private stays closed to the program's user by its mode.
            foreach (var path in new[] { "/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/ssl" })
            {
                if (Path.Exists(path))
                {
                    etc.Add(path);
                }
            }

            if (Directory.Exists("/etc"))
            {
                etc.AddRange(Directory.EnumerateDirectories("/etc", "java-*"));
            }

            return new Setup(bwrap ?? "bwrap", prlimit ?? "prlimit", setpriv, privileged, new Toolchains(options), etc, problem);
        }
    }
}
