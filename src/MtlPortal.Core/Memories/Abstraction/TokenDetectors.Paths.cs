using System.Buffers;
using System.Text.RegularExpressions;

namespace MtlPortal.Memories.Abstraction;

/// <summary>The URL and file-path rules.</summary>
/// <remarks>
/// The patterns avoid leading lookbehinds so the regex engine can jump straight to their '/', '\', '.', ':'
/// or '@' (a lookbehind there made these rules ten times slower); the neighbour checks in code do that job.
/// </remarks>
internal static partial class TokenDetectors
{
    private const string UrlMessage = "Names a web or e-mail address; describe the kind of resource instead (\"the project's documentation\").";
    private const string FilePathMessage = "Names a file path; describe the kind of file instead (\"the module's test file\").";

    // Extensions that mark a bare word as a file name. Lower case only, so "Ph.D" or "U.S.C" are not files;
    // one-letter extensions that collide with abbreviations (a.m., p.m., R.) are left out.
    private const string CodeExtensions =
        "py|pyi|pyx|ipynb|java|kt|kts|scala|groovy|gradle|cs|csproj|sln|fs|fsproj|vb|js|mjs|cjs|jsx|ts|tsx|vue|svelte|" +
        "go|rs|rb|php|c|h|cc|cpp|cxx|hpp|hh|swift|sh|bash|zsh|ps1|bat|cmd|pl|pm|jl|lua|dart|ex|exs|erl|hs|ml|clj|" +
        "sql|json|jsonl|yaml|yml|toml|ini|cfg|conf|properties|xml|html|htm|css|scss|less|md|rst|txt|csv|tsv|lock|" +
        "proto|graphql|tf|mk|cmake|patch|diff|jar|dll|exe|so|whl|pkl|npy|npz|pt|pth|onnx|h5|parquet|tar|gz|tgz|zip";

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> CodeExtensionSet =
        new HashSet<string>(CodeExtensions.Split('|'), StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    // Library names written like file or host names.
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> ScriptLibraries = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "node.js", "vue.js", "next.js", "nuxt.js", "express.js", "three.js", "d3.js", "chart.js", "react.js",
        "angular.js", "ember.js", "backbone.js", "p5.js", "socket.io",
    }.GetAlternateLookup<ReadOnlySpan<char>>();

    // Relative paths starting with these folders are paths even without an extension: "src/utils", "lib/core".
    // Folders that double as English words ("test", "build", "app") are left out: "the build/test/deploy cycle".
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> SourceFolders = new HashSet<string>(StringComparer.Ordinal)
    {
        "src", "lib", "libs", "pkg", "cmd", "bin", "obj", "internal", "include", "node_modules", "vendor", "dist", ".github",
    }.GetAlternateLookup<ReadOnlySpan<char>>();

    // Characters that, just before a match, show it is the tail of something larger (a URL, a path, an address).
    private static readonly SearchValues<char> HostNameNeighbours = SearchValues.Create("_.@/");
    private static readonly SearchValues<char> WordOrBackslash = SearchValues.Create(
        "\\_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    private static readonly SearchValues<char> UnixPathNeighbours = SearchValues.Create(":/\\");
    private static readonly SearchValues<char> FileNameNeighbours = SearchValues.Create("./\\@");
    private static readonly SearchValues<char> DotFileNeighbours = SearchValues.Create(
        "./\\-_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public static void FindUrls(SpanCollector spans)
    {
        var text = spans.Text;
        foreach (var match in SchemeUrl().EnumerateMatches(text))
        {
            spans.TryAdd(AbstractionRules.Url, match.Index, TrimTrailingPunctuation(text.AsSpan(match.Index, match.Length)), UrlMessage);
        }

        foreach (var match in LocalAddress().EnumerateMatches(text))
        {
            if (!Follows(text, match.Index, HostNameNeighbours))
            {
                spans.TryAdd(AbstractionRules.Url, match.Index, TrimTrailingPunctuation(text.AsSpan(match.Index, match.Length)), UrlMessage);
            }
        }

        foreach (var match in EmailAddress().EnumerateMatches(text))
        {
            spans.TryAdd(AbstractionRules.Url, match.Index, match.Length, UrlMessage);
        }

        foreach (var match in HostName().EnumerateMatches(text))
        {
            var length = TrimTrailingPunctuation(text.AsSpan(match.Index, match.Length));
            if (!Follows(text, match.Index, HostNameNeighbours) && !ScriptLibraries.Contains(text.AsSpan(match.Index, length)))
            {
                spans.TryAdd(AbstractionRules.Url, match.Index, length, UrlMessage);
            }
        }
    }

    public static void FindFilePaths(SpanCollector spans)
    {
        var text = spans.Text;
        foreach (var match in DrivePath().EnumerateMatches(text))
        {
            if (!Follows(text, match.Index, WordOrBackslash))
            {
                spans.TryAdd(AbstractionRules.FilePath, match.Index, TrimTrailingPunctuation(text.AsSpan(match.Index, match.Length)), FilePathMessage);
            }
        }

        foreach (var regex in (ReadOnlySpan<Regex>)[UncPath(), BackslashPath()])
        {
            foreach (var match in regex.EnumerateMatches(text))
            {
                var length = TrimTrailingPunctuation(text.AsSpan(match.Index, match.Length));
                if (!Follows(text, match.Index, WordOrBackslash) && HasLetter(text.AsSpan(match.Index, length)))
                {
                    spans.TryAdd(AbstractionRules.FilePath, match.Index, length, FilePathMessage);
                }
            }
        }

        foreach (var match in UnixPath().EnumerateMatches(text))
        {
            var length = TrimTrailingPunctuation(text.AsSpan(match.Index, match.Length));
            if (!Follows(text, match.Index, UnixPathNeighbours) && IsUnixPath(text.AsSpan(match.Index, length)))
            {
                spans.TryAdd(AbstractionRules.FilePath, match.Index, length, FilePathMessage);
            }
        }

        foreach (var match in FileGlob().EnumerateMatches(text))
        {
            spans.TryAdd(AbstractionRules.FilePath, match.Index, match.Length, FilePathMessage);
        }

        foreach (var match in BareFileName().EnumerateMatches(text))
        {
            // A one-letter stem is more often an abbreviation ("a.m.") than a file.
            var name = text.AsSpan(match.Index, match.Length);
            if (name.LastIndexOf('.') >= 2 && !Follows(text, match.Index, FileNameNeighbours) && !ScriptLibraries.Contains(name))
            {
                spans.TryAdd(AbstractionRules.FilePath, match.Index, match.Length, FilePathMessage);
            }
        }

        foreach (var match in DotFile().EnumerateMatches(text))
        {
            if (!Follows(text, match.Index, DotFileNeighbours))
            {
                spans.TryAdd(AbstractionRules.FilePath, match.Index, match.Length, FilePathMessage);
            }
        }
    }

    // Rooted paths always count. A relative one counts with a code file extension, a trailing slash, a
    // well-known source folder first, an underscore, or four or more segments; "and/or", "CI/CD" and
    // "read/write/execute" do not.
    private static bool IsUnixPath(ReadOnlySpan<char> path)
    {
        if (!HasLetter(path))
        {
            return false;
        }

        if (path[0] == '/' || path.StartsWith("~/") || path.StartsWith("./") || path.StartsWith("../"))
        {
            return true;
        }

        // "build/" is a folder, but "w/" is shorthand for "with".
        if (path[^1] == '/')
        {
            return path.Length > 2;
        }

        var last = path[(path.LastIndexOf('/') + 1)..];
        var dot = last.LastIndexOf('.');
        if (dot > 0 && CodeExtensionSet.Contains(last[(dot + 1)..]))
        {
            return true;
        }

        var firstSegment = path[..path.IndexOf('/')];
        return path.Count('/') >= 3 || path.Contains('_') || SourceFolders.Contains(firstSegment);
    }

    [GeneratedRegex(@"\b(?:(?:https?|ftp)://|www\.)[^\s<>""'`]+")]
    private static partial Regex SchemeUrl();

    // "localhost:8000/health", "127.0.0.1:5432": a local service, with its port and path.
    [GeneratedRegex(@"\b(?:localhost|\d{1,3}(?:\.\d{1,3}){3})(?::\d{2,5})?\b(?:/[^\s<>""'`]*)?")]
    private static partial Regex LocalAddress();

    [GeneratedRegex(@"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")]
    private static partial Regex EmailAddress();

    // Bare host names on the commonest top-level domains ("github.com/org/repo"); lower case only, so
    // "System.IO" stays an identifier.
    [GeneratedRegex(@"[A-Za-z0-9-]+\.(?:[A-Za-z0-9-]+\.)*(?:com|org|net|io|dev|edu|gov)(?![\w-])(?:/[^\s<>""'`]*)?")]
    private static partial Regex HostName();

    [GeneratedRegex(@"[A-Za-z]:[\\/][^\s""'<>|*?]*")]
    private static partial Regex DrivePath();

    [GeneratedRegex(@"\\\\[\w.$-]+\\[^\s""'<>|*?]*")]
    private static partial Regex UncPath();

    // "src\Foo\Bar.cs"
    [GeneratedRegex(@"[\w.-]+\\[\w.-]+(?:\\[\w.-]+)*")]
    private static partial Regex BackslashPath();

    // Rooted (/, ~/, ./, ../) or relative slash-separated paths, and bare "folder/"; IsUnixPath decides.
    [GeneratedRegex(@"[\w.@+~-]*/(?:[\w.@+-]+(?:/[\w.@+-]+)*/?)?")]
    private static partial Regex UnixPath();

    // "*.py", "**/*.test.ts"
    [GeneratedRegex(@"(?:\*\*/)?\*\.[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*")]
    private static partial Regex FileGlob();

    [GeneratedRegex(@"[\w-]+\.(?:[\w-]+\.)*(?:" + CodeExtensions + @")(?![\w-]|\.\w)")]
    private static partial Regex BareFileName();

    [GeneratedRegex(@"\.(?:env|gitignore|gitattributes|gitmodules|dockerignore|npmrc|bashrc|zshrc|profile|editorconfig)(?![\w.-])")]
    private static partial Regex DotFile();
}
