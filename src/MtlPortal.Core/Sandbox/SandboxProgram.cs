namespace MtlPortal.Sandbox;

/// <summary>
/// One program to build and run: the whole source in one file (the sandbox names the file as its language needs:
/// <c>main.py</c>, <c>main.js</c>, <c>Main.java</c>, <c>main.cpp</c>, <c>main.rs</c> run as tests,
/// <c>main_test.go</c> run with <c>go test</c>). A program passes when it exits with status 0.
/// </summary>
/// <param name="Language">Its language.</param>
/// <param name="Source">The complete source.</param>
/// <param name="TimeLimit">The wall-clock limit for running it (building has its own); null for the configured one.</param>
public sealed record SandboxProgram(SandboxLanguage Language, string Source, TimeSpan? TimeLimit = null);

/// <summary>What a program did in the sandbox.</summary>
/// <param name="Verdict">How it ended.</param>
/// <param name="ExitCode">Its exit status, or null when it was killed by a signal or never ran.</param>
/// <param name="Output">
/// What it (or its compiler) wrote, standard output then standard error, each capped at
/// <see cref="SandboxOptions.MaxOutputBytes"/>, or the sandbox's own message for <see cref="SandboxVerdict.SandboxError"/>.
/// </param>
/// <param name="OutputTruncated">True when a stream was longer than the cap.</param>
/// <param name="Elapsed">Wall-clock time for building and running.</param>
public sealed record SandboxResult(SandboxVerdict Verdict, int? ExitCode, string Output, bool OutputTruncated, TimeSpan Elapsed)
{
    public bool Passed => Verdict == SandboxVerdict.Passed;

    public static SandboxResult Error(string message, TimeSpan elapsed = default) =>
        new(SandboxVerdict.SandboxError, null, message, false, elapsed);
}
