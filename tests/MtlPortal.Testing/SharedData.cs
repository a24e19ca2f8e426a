namespace MtlPortal.Testing;

/// <summary>
/// The real public test data in <c>shared/data</c>, which sits beside the clone (in CI) and is never copied into the
/// repository. From a git worktree the sibling is further up, so this walks up from the test binaries and falls back
/// to the machine's copy.
/// </summary>
public static class SharedData
{
    private const string MachineCopy = "/work/shared/data";

    /// <summary>The <c>shared/data</c> folder; the machine's copy when none is found above the test binaries.</summary>
    public static string Directory { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return MachineCopy;
    }
}
