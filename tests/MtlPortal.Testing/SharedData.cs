namespace MtlPortal.Testing;

/// <summary>
/// The public test data in <c>shared/data</c> (see its README.md), which lives beside the repository, never in it: in
/// CI a copy of shared/ sits beside the clone; in a developer's work tree it may sit beside one of the folders above.
/// </summary>
public static class SharedData
{
    private const string FallbackFolder = "/work/shared/data";

    /// <summary>The data folder: the nearest <c>shared/data</c> beside the repository root or a folder above it.</summary>
    public static string Folder { get; } = Find();

    /// <summary>A path inside the data folder.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Folder, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Directory.Exists(FallbackFolder)
            ? FallbackFolder
            : throw new InvalidOperationException($"The public test data (shared/data) is neither beside the repository nor in {FallbackFolder}.");
    }
}
