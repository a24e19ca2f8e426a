using System.Globalization;

namespace MtlPortal.Bench;

/// <summary>
/// A CSV under bench/results (git-ignored), one row per measurement, flushed as it goes so an interrupted run keeps
/// what it measured.
/// </summary>
internal sealed class ResultsFile : IDisposable
{
    private readonly StreamWriter _writer;

    public ResultsFile(string? outputDirectory, string name, IReadOnlyList<string> columns)
    {
        string directory = outputDirectory ?? System.IO.Path.Combine(RepositoryRoot(), "bench", "results");
        Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory, $"{name}-{DateTime.Now:yyyyMMdd-HHmmss}.csv");
        _writer = new StreamWriter(Path) { AutoFlush = true };
        _writer.WriteLine(string.Join(',', columns));
    }

    public string Path { get; }

    public void Append(IEnumerable<object> values) =>
        _writer.WriteLine(string.Join(',', values.Select(value => Field(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""))));

    public void Dispose() => _writer.Dispose();

    // RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    private static string Field(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    /// <summary>The folder holding MtlPortal.sln above the working directory (else the working directory).</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "MtlPortal.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
