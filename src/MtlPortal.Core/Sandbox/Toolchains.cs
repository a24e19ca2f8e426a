using System.Diagnostics;

namespace MtlPortal.Sandbox;

/// <summary>A toolchain program as the sandbox runs it: its real path, and the folders it needs mounted read-only.</summary>
/// <param name="Path">The real executable (symbolic links, pyenv shims and rustup proxies resolved).</param>
/// <param name="Mounts">Folders outside the system ones (<c>/usr</c>, <c>/etc</c>'s few) it needs, e.g. a pyenv version or a rustup toolchain.</param>
public sealed record Toolchain(string Path, IReadOnlyList<string> Mounts);

/// <summary>
/// Finds each language's toolchain once: <c>Sandbox:Toolchains:NAME</c> or the program on PATH, resolved to the
/// real binary, because the sandbox sees neither shims' helpers nor the folders they live in (root's home is 0700).
/// </summary>
public sealed class Toolchains
{
    private static readonly string[] SystemFolders = ["/usr/", "/bin/", "/lib/", "/lib64/", "/etc/", "/opt/"];

    private readonly Dictionary<string, Toolchain?> _found = [];

    public Toolchains(SandboxOptions options)
    {
        foreach (var name in new[] { "python3", "node", "javac", "java", "g++", "rustc", "go" })
        {
            var configured = options.Toolchains.TryGetValue(name, out var path) && !string.IsNullOrWhiteSpace(path) ? path : FindOnPath(name);
            _found[name] = configured is null ? null : Resolve(name, configured);
        }
    }

    /// <summary>The program named <paramref name="name"/> (python3, node, javac, java, g++, rustc, go); null when not installed.</summary>
    public Toolchain? this[string name] => _found.GetValueOrDefault(name);

    /// <summary>The programs each language needs.</summary>
    public static IReadOnlyList<string> Needs(SandboxLanguage language) => language switch
    {
        SandboxLanguage.Python => ["python3"],
        SandboxLanguage.JavaScript => ["node"],
        SandboxLanguage.Java => ["javac", "java"],
        SandboxLanguage.Cpp => ["g++"],
        SandboxLanguage.Rust => ["rustc"],
        _ => ["go"],
    };

    public bool Has(SandboxLanguage language) => Needs(language).All(n => this[n] is not null);

    public static string? FindOnPath(string name)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static Toolchain? Resolve(string name, string path)
    {
        // Shims (pyenv) and proxies (rustup) choose the real program at run time, through files the sandbox does
        // not mount; ask the toolchain itself where it lives.
        switch (name)
        {
            case "python3":
                if (Ask(path, "-c", "import sys; print(sys.executable); print(sys.base_prefix)") is [var executable, var prefix, ..])
                {
                    return Located(executable, prefix);
                }

                return null;
            case "rustc":
                if (Ask(path, "--print", "sysroot") is [var sysroot, ..])
                {
                    return Located(System.IO.Path.Combine(sysroot, "bin", "rustc"), sysroot);
                }

                return null;
            case "go":
                if (Ask(path, "env", "GOROOT") is [var goroot, ..])
                {
                    return Located(System.IO.Path.Combine(goroot, "bin", "go"), goroot);
                }

                return null;
            default:
                var real = RealPath(path);
                return real is null ? null : Located(real, System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(real))!);
        }
    }

    private static Toolchain? Located(string executable, string root)
    {
        var real = RealPath(executable);
        if (real is null)
        {
            return null;
        }

        var rootPath = RealPath(root) ?? root;
        var inSystemFolders = rootPath == "/usr" || SystemFolders.Any(f => rootPath.StartsWith(f, StringComparison.Ordinal));
        return new Toolchain(real, inSystemFolders ? [] : [rootPath]);
    }

    private static string? RealPath(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return null;
            }

            return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string[]? Ask(string program, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromSeconds(20)) || process.ExitCode != 0)
            {
                return null;
            }

            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
