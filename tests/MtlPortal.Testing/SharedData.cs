namespace MtlPortal.Testing;

/// <summary>
/// The public data files beside the repository (<c>../shared/data</c>, see its README), read in place and never
/// copied into the repository. From a clone that is <c>&lt;repository&gt;/../shared/data</c>; from a worktree
/// deeper down, the nearest folder above with a <c>shared/data</c>; on the development machines, <c>/work/shared/data</c>.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> Root = new(Find);

    /// <summary>The full path of <paramref name="relativePath"/> under the shared data folder, e.g. "mbpp/mbpp.jsonl".</summary>
    public static string PathOf(string relativePath) => Path.Combine(Root.Value, relativePath);

    private static string Find()
    {
        for (var folder = RepositoryRoot(); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        const string fallback = "/work/shared/data";
        return Directory.Exists(fallback)
            ? fallback
            : throw new DirectoryNotFoundException("The shared test data was not found: put a copy of shared/ beside the repository (../shared/data).");
    }

    private static DirectoryInfo? RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MtlPortal.sln")))
            {
                return folder;
            }
        }

        return new DirectoryInfo(Directory.GetCurrentDirectory());
    }
}
