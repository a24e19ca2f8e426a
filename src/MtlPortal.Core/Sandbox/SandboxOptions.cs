namespace MtlPortal.Sandbox;

/// <summary>The sandbox's limits, bound from the "Sandbox" section.</summary>
public sealed class SandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>Wall-clock seconds a program may run (after it is built) before its whole process group is killed.</summary>
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>Wall-clock seconds a compiler may take.</summary>
    public double CompileTimeoutSeconds { get; set; } = 60;

    /// <summary>CPU seconds per process (RLIMIT_CPU).</summary>
    public int CpuSeconds { get; set; } = 10;

    /// <summary>
    /// Address space per process in MiB (RLIMIT_AS). Java, Go and node reserve far more virtual memory than they use,
    /// so they get <see cref="LargeRuntimeMemoryMb"/> instead; Java's heap is capped with <c>-Xmx</c> as well.
    /// </summary>
    public int MemoryMb { get; set; } = 1024;

    /// <summary>Address space per process in MiB for the runtimes that reserve much virtual memory (Java, Go, node) and for compilers.</summary>
    public int LargeRuntimeMemoryMb { get; set; } = 8192;

    /// <summary>Processes and threads the sandbox's user may have (RLIMIT_NPROC, counted in the sandbox's own user namespace).</summary>
    public int MaxProcesses { get; set; } = 64;

    /// <summary>Largest file a program may write, in MiB (RLIMIT_FSIZE).</summary>
    public int MaxFileSizeMb { get; set; } = 16;

    /// <summary>Open files per process (RLIMIT_NOFILE).</summary>
    public int MaxOpenFiles { get; set; } = 256;

    /// <summary>Bytes kept of standard output and of standard error each; the rest is dropped and marked.</summary>
    public int MaxOutputBytes { get; set; } = 16 * 1024;

    /// <summary>Programs that may run at once; 0 means one per processor core.</summary>
    public int MaxConcurrency { get; set; }

    /// <summary>
    /// Let Python programs import third-party packages installed beside the interpreter (its site-packages). Off by
    /// default: HumanEval and MBPP need only the standard library, and an interpreter's site start-up (.pth files)
    /// can cost more than the test itself (180 ms against 30 ms for the pyenv Python measured here).
    /// </summary>
    public bool PythonSitePackages { get; set; }

    /// <summary>Where the sandboxes' temporary folders are made; empty for the system's temporary folder.</summary>
    public string? WorkRoot { get; set; }

    /// <summary>The bubblewrap program; found on PATH when empty.</summary>
    public string? BwrapPath { get; set; }

    /// <summary>
    /// Toolchain programs by name (<c>python3</c>, <c>node</c>, <c>javac</c>, <c>java</c>, <c>g++</c>, <c>rustc</c>,
    /// <c>go</c>) when they are not the ones on PATH, e.g. <c>Sandbox:Toolchains:python3=/opt/python/bin/python3</c>.
    /// </summary>
    public Dictionary<string, string> Toolchains { get; set; } = [];

    public int EffectiveConcurrency => MaxConcurrency > 0 ? MaxConcurrency : Environment.ProcessorCount;
}
