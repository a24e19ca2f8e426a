namespace MtlPortal.Sandbox;

/// <summary>How a program ended in the sandbox. Stored as text.</summary>
public enum SandboxVerdict
{
    /// <summary>Built, ran and exited with status 0: every test passed.</summary>
    Passed = 0,

    /// <summary>Ran and exited non-zero without being killed: a test or assertion failed, or an exception escaped.</summary>
    Failed = 1,

    /// <summary>The compiler (or, for Python and JavaScript, the parser) rejected the program.</summary>
    CompileError = 2,

    /// <summary>Killed at the wall-clock limit or the CPU-time limit.</summary>
    Timeout = 3,

    /// <summary>Ran out of its address-space limit.</summary>
    OutOfMemory = 4,

    /// <summary>Killed by a signal other than the limits' (a segmentation fault, an abort).</summary>
    Crashed = 5,

    /// <summary>The sandbox itself failed (could not start, the toolchain is missing): says nothing about the program.</summary>
    SandboxError = 6,
}
