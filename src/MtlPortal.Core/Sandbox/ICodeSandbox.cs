namespace MtlPortal.Sandbox;

/// <summary>
/// Runs untrusted programs: each in a fresh folder it alone may write, without network, in its own process group,
/// under CPU, memory, process, file-size and open-file limits and a wall-clock timeout, with its output capped.
/// At most <see cref="SandboxOptions.MaxConcurrency"/> programs run at once; more callers wait their turn.
/// </summary>
public interface ICodeSandbox
{
    /// <summary>The languages whose toolchain was found on this machine.</summary>
    IReadOnlyCollection<SandboxLanguage> AvailableLanguages { get; }

    /// <summary>
    /// Builds and runs <paramref name="program"/>. Never throws for what the program does (every outcome is a
    /// <see cref="SandboxVerdict"/>); throws only <see cref="OperationCanceledException"/> when cancelled, after
    /// killing the program.
    /// </summary>
    Task<SandboxResult> RunAsync(SandboxProgram program, CancellationToken cancellationToken = default);
}

/// <summary>The sandbox cannot work on this machine (bubblewrap or prlimit missing); the message says how to fix it.</summary>
public sealed class SandboxUnavailableException(string message) : Exception(message);
