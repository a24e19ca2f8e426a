using System.Text;
using System.Text.RegularExpressions;

namespace MtlPortal.Benchmarks;

/// <summary>
/// Go refuses a program that imports a package twice or imports one it does not use, and HumanEval-X's Go parts
/// (test setup, prompt, answer) each bring their own imports. As <c>goimports</c> would: all import declarations
/// become one block after the package clause, standard packages the code uses but nobody imported are added, and
/// unused ones are dropped.
/// </summary>
internal static partial class GoImports
{
    private static readonly Dictionary<string, string> Standard = new(StringComparer.Ordinal)
    {
        ["bytes"] = "bytes", ["fmt"] = "fmt", ["math"] = "math", ["sort"] = "sort", ["strconv"] = "strconv",
        ["strings"] = "strings", ["unicode"] = "unicode", ["regexp"] = "regexp", ["time"] = "time", ["reflect"] = "reflect",
        ["rand"] = "math/rand", ["big"] = "math/big", ["bits"] = "math/bits", ["utf8"] = "unicode/utf8", ["md5"] = "crypto/md5",
        ["hex"] = "encoding/hex", ["errors"] = "errors", ["testing"] = "testing", ["os"] = "os",
    };

    public static string Tidy(string program)
    {
        var imports = new List<(string? Alias, string Path)>();
        var body = ImportDeclaration().Replace(program, match =>
        {
            foreach (Match spec in ImportSpec().Matches(match.Value))
            {
                imports.Add((spec.Groups[1].Success ? spec.Groups[1].Value : null, spec.Groups[2].Value));
            }

            return "";
        });
        var package = PackageClause().Match(body);
        if (!package.Success)
        {
            return program;
        }

        body = body.Remove(package.Index, package.Length);
        var used = new HashSet<string>(Selector().Matches(StringsAndComments().Replace(body, " ")).Select(m => m.Groups[1].Value), StringComparer.Ordinal);
        var kept = new List<(string? Alias, string Path)>();
        foreach (var import in imports.Distinct())
        {
            var name = import.Alias ?? import.Path[(import.Path.LastIndexOf('/') + 1)..];
            if (import.Alias is "_" or "." || used.Contains(name) && !kept.Any(k => (k.Alias ?? k.Path[(k.Path.LastIndexOf('/') + 1)..]) == name))
            {
                kept.Add(import);
            }
        }

        foreach (var name in used)
        {
            if (Standard.TryGetValue(name, out var path) && !kept.Any(k => (k.Alias ?? k.Path[(k.Path.LastIndexOf('/') + 1)..]) == name))
            {
                kept.Add((null, path));
            }
        }

        var result = new StringBuilder(package.Value.TrimEnd()).Append("\n\n");
        if (kept.Count > 0)
        {
            result.Append("import (\n");
            foreach (var (alias, path) in kept)
            {
                result.Append("    ").Append(alias is null ? "" : alias + " ").Append('"').Append(path).Append("\"\n");
            }

            result.Append(")\n");
        }

        return result.Append(body.TrimStart('\n')).ToString();
    }

    [GeneratedRegex(@"^[ \t]*import[ \t]*(\([^)]*\)|(?:[\w.]+[ \t]+)?""[^""]*"")[ \t]*\n?", RegexOptions.Multiline)]
    private static partial Regex ImportDeclaration();

    [GeneratedRegex(@"(?:([\w.]+)[ \t]+)?""([^""]+)""")]
    private static partial Regex ImportSpec();

    [GeneratedRegex(@"^[ \t]*package[ \t]+\w+[ \t]*\n?", RegexOptions.Multiline)]
    private static partial Regex PackageClause();

    [GeneratedRegex(@"\b([A-Za-z_]\w*)\.[A-Za-z_]")]
    private static partial Regex Selector();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|""(?:\\.|[^""\\\n])*""|`[^`]*`", RegexOptions.Singleline)]
    private static partial Regex StringsAndComments();
}
