namespace MtlPortal.Sandbox;

/// <summary>The languages the sandbox can build and run. Stored as text (lowercase names), so reordering is safe.</summary>
public enum SandboxLanguage
{
    Python = 0,
    JavaScript = 1,
    Java = 2,
    Cpp = 3,
    Rust = 4,
    Go = 5,
}

public static class SandboxLanguages
{
    public static IReadOnlyList<SandboxLanguage> All { get; } = Enum.GetValues<SandboxLanguage>();

    /// <summary>The name used in files, settings and the CLI: python, javascript, java, cpp, rust, go.</summary>
    public static string Name(this SandboxLanguage language) => language.ToString().ToLowerInvariant();

    /// <summary>
    /// Reads a language name as people and datasets write it ("Python", "js", "c++", "golang", the HumanEval-X
    /// task prefixes "CPP" and "JavaScript"); null when it is none of the six.
    /// </summary>
    public static SandboxLanguage? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "python" or "py" or "python3" => SandboxLanguage.Python,
        "javascript" or "js" or "node" => SandboxLanguage.JavaScript,
        "java" => SandboxLanguage.Java,
        "cpp" or "c++" or "cxx" => SandboxLanguage.Cpp,
        "rust" or "rs" => SandboxLanguage.Rust,
        "go" or "golang" => SandboxLanguage.Go,
        _ => null,
    };
}
