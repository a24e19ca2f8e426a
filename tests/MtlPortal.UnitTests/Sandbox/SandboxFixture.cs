using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MtlPortal.Sandbox;

namespace MtlPortal.UnitTests.Sandbox;

/// <summary>One real bubblewrap sandbox for a test class, with small limits so the hostile programs end fast.</summary>
public sealed class SandboxFixture : IDisposable
{
    public SandboxFixture()
    {
        Options = new SandboxOptions { TimeoutSeconds = 5, CpuSeconds = 5, MemoryMb = 256, MaxProcesses = 32, MaxOutputBytes = 4096 };
        Sandbox = new BubblewrapSandbox(Microsoft.Extensions.Options.Options.Create(Options), NullLogger<BubblewrapSandbox>.Instance);
    }

    public SandboxOptions Options { get; }

    public BubblewrapSandbox Sandbox { get; }

    public Task<SandboxResult> RunPythonAsync(string source, TimeSpan? timeLimit = null) =>
        Sandbox.RunAsync(new SandboxProgram(SandboxLanguage.Python, source, timeLimit));

    public void Dispose() => Sandbox.Dispose();
}

public static class SandboxAssert
{
    /// <summary>Asserts the verdict, showing the program's output when it is another.</summary>
    public static void Verdict(SandboxVerdict expected, SandboxResult result) =>
        Assert.True(result.Verdict == expected, $"Expected {expected}, got {result.Verdict} (exit {result.ExitCode?.ToString() ?? "none"}):\n{result.Output}");
}
