using System.Text.RegularExpressions;

namespace MtlPortal.Memories.Abstraction;

/// <summary>The identifier rule: code names, names being assigned, and command-line options.</summary>
internal static partial class TokenDetectors
{
    private const string IdentifierMessage = "Names a code identifier; describe its role instead (\"the function that parses input\").";
    private const string OptionMessage = "Names a command-line option; describe what it does instead (\"the option that stops at the first failure\").";

    // Dotted words that are English or product names, not member access.
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> DottedWords = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Ph.D", "M.Sc", "B.Sc", "M.A", "B.A", "a.k.a", "et.al", "ASP.NET", "VB.NET", "ADO.NET", "Node.js", "Vue.js",
        "Next.js", "Nuxt.js", "Express.js", "Three.js", "Chart.js", "React.js", "Angular.js", "Ember.js", "D3.js",
        "p5.js", "Backbone.js", "Socket.IO",
    }.GetAlternateLookup<ReadOnlySpan<char>>();

    // Product and technique names that carry inner capitals but are not code. Case-sensitive: "javaScript" is code.
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> InnerCapitalWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "JavaScript", "TypeScript", "CoffeeScript", "PostScript", "GitHub", "GitLab", "BitBucket", "PowerShell",
        "PostgreSQL", "MySQL", "SQLite", "NoSQL", "MongoDB", "MariaDB", "DynamoDB", "CouchDB", "InfluxDB", "DuckDB",
        "BigQuery", "ClickHouse", "ElasticSearch", "OpenSearch", "YouTube", "LinkedIn", "WordPress", "LaTeX",
        "WebSocket", "WebAssembly", "WebGL", "WebGPU", "OpenGL", "OpenCV", "OpenSSL", "OpenSSH", "OpenJDK",
        "OpenAI", "OpenAPI", "OpenHands", "ChatGPT", "DeepMind", "DeepSeek", "PyPI", "NumPy", "SciPy", "PyTorch",
        "TensorFlow", "FastAPI", "CPython", "IPython", "PyPy", "JupyterLab", "NuGet", "CMake", "MSBuild", "DevOps",
        "GitOps", "JetBrains", "IntelliJ", "PyCharm", "WebStorm", "ReSharper", "VSCode", "DevTools", "CodeQL",
        "GraphQL", "CircleCI", "TeamCity", "TravisCI", "FreeBSD", "OpenBSD", "NetBSD", "CentOS", "RedHat",
        "OpenShift", "CloudFormation", "CloudWatch", "PowerPoint", "OneDrive", "SharePoint", "HuggingFace",
        "LangChain", "LlamaIndex", "MacBook", "SwiftUI", "UIKit", "AppKit", "DirectX", "LibreOffice",
        "VirtualBox", "DockerHub", "StackOverflow", "SourceForge", "RuboCop", "ESLint", "PyLint", "MyPy", "JUnit",
        "NUnit", "TestNG", "RubyGems", "CocoaPods", "NodeJS", "ReactJS", "VueJS", "AngularJS", "NextJS", "JSDoc",
        "MkDocs", "WinForms", "WinUI", "PowerBI", "SaaS", "PaaS", "IaaS", "FaaS", "PhD", "PoC", "QoS", "DoS",
        "DDoS", "KiB", "MiB", "GiB", "TiB", "WiFi", "ReAct", "CoT", "LoRA", "QLoRA", "LLaMA", "CodeLlama",
        "StarCoder", "AlphaCode", "RoBERTa", "DeBERTa", "AutoGen", "LeetCode", "HackerRank", "CodeForces", "SQLAlchemy",
        "MacOS", "PayPal", "WhatsApp", "PlayStation", "MoE", "PageRank", "MapReduce", "BERTScore",
    }.GetAlternateLookup<ReadOnlySpan<char>>();

    // Options every command-line tool has; "check the tool's --help" is procedure, not a tie to one tool.
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> UniversalOptions = new HashSet<string>(StringComparer.Ordinal)
    {
        "-h", "--help", "--version",
    }.GetAlternateLookup<ReadOnlySpan<char>>();

    public static void FindIdentifiers(SpanCollector spans)
    {
        var text = spans.Text;
        foreach (var match in IdentifierCandidate().EnumerateMatches(text))
        {
            // "PYTHONPATH=." or "retries=3": a name followed by '=' is being assigned, whatever it looks like.
            var end = match.Index + match.Length;
            var assigned = end < text.Length && text[end] == '=';
            if (assigned || IsIdentifier(text.AsSpan(match.Index, match.Length)))
            {
                spans.TryAdd(AbstractionRules.Identifier, match.Index, match.Length, IdentifierMessage);
            }
        }

        foreach (var match in CommandLineOption().EnumerateMatches(text))
        {
            var length = TrimTrailingPunctuation(text.AsSpan(match.Index, match.Length));
            if (!UniversalOptions.Contains(text.AsSpan(match.Index, length)))
            {
                spans.TryAdd(AbstractionRules.Identifier, match.Index, length, OptionMessage);
            }
        }
    }

    private static bool IsIdentifier(ReadOnlySpan<char> token)
    {
        if (token.EndsWith("()"))
        {
            return true;
        }

        if (token[0] == '$')
        {
            return token.Length > 1 && char.IsLetter(token[1]);
        }

        if (token.Contains('.'))
        {
            return !IsAbbreviation(token) && !DottedWords.Contains(token);
        }

        if (token.Contains('_'))
        {
            // _emphasis_ in Markdown is not code; a run of underscores used as a blank is not either.
            var isEmphasis = token.Length > 2 && token[0] == '_' && token[^1] == '_' && !token[1..^1].Contains('_');
            return !isEmphasis && HasLetter(token);
        }

        if (!HasInnerCapital(token))
        {
            return false;
        }

        return !InnerCapitalWords.Contains(token) && !(token[^1] == 's' && InnerCapitalWords.Contains(token[..^1]));
    }

    // camelCase with a lower-case prefix of two or more letters (getUser, not iPhone or eBay), or a capital
    // after a lower-case letter (HttpClient), or an acronym run into a word (IOException, but not "APIs").
    private static bool HasInnerCapital(ReadOnlySpan<char> token)
    {
        if (char.IsLower(token[0]))
        {
            var firstCapital = token.IndexOfAnyInRange('A', 'Z');
            return firstCapital >= 2 && token[firstCapital..].ContainsAnyInRange('a', 'z');
        }

        for (var i = 1; i < token.Length; i++)
        {
            if (char.IsUpper(token[i]) && char.IsLower(token[i - 1]))
            {
                return true;
            }
        }

        return AcronymThenWord().IsMatch(token);
    }

    // "e.g", "i.e", "U.S": every part a single letter.
    private static bool IsAbbreviation(ReadOnlySpan<char> token)
    {
        foreach (var part in token.Split('.'))
        {
            if (token[part].Length > 1)
            {
                return false;
            }
        }

        return true;
    }

    // Words, dotted names, $VARIABLES and calls written with empty parentheses. IsIdentifier decides.
    [GeneratedRegex(@"(?<![\w$.@#/\\-])\$?[A-Za-z_][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:\(\))?")]
    private static partial Regex IdentifierCandidate();

    // "-rn", "--force", "--tb=short" after white space or an opening bracket; a list item's "- " has no
    // letter after the dash.
    [GeneratedRegex(@"(?<![^\s(\[])--?[A-Za-z][\w-]*(?:=[^\s,;)]+)?")]
    private static partial Regex CommandLineOption();

    [GeneratedRegex(@"[A-Z]{3,}[a-z]{2,}")]
    private static partial Regex AcronymThenWord();
}
