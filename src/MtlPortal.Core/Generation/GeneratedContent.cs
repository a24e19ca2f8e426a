using System.Text.Json;
using MtlPortal.Memories;
using MtlPortal.Memories.Abstraction;

namespace MtlPortal.Generation;

/// <summary>The model's answer read as a memory of one kind, or the reason it was refused.</summary>
public sealed record GeneratedContent(MemoryContent? Content, string? Rejection)
{
    public bool Accepted => Content is not null;

    /// <summary>The rules an insight must pass without a single finding: it names no file, identifier, literal, link or benchmark.</summary>
    public static IReadOnlySet<string> InsightBlockingRules { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "code-block", "stack-trace", "inline-code", "url", "file-path", "known-term", "quoted-literal", "identifier", "magic-number",
    };

    /// <summary>
    /// Reads <paramref name="answer"/> as the JSON the kind's prompt asks for (a code fence around it is allowed),
    /// checks it against the kind's structure (<see cref="MemoryContent.Validate"/>), and for insights against the
    /// abstraction linter: an insight naming a file, an identifier, a literal or a benchmark is refused.
    /// </summary>
    public static async Task<GeneratedContent> ReadAsync(MemoryKind kind, string answer, Func<MemoryContent, CancellationToken, Task<AbstractionReport>> lint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lint);
        var json = JsonPart(answer ?? "");
        if (json is null)
        {
            return Refused($"The model's answer is not JSON: {Excerpt(answer)}");
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return Refused($"The model's answer is not valid JSON ({e.Message}): {Excerpt(answer)}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return Refused("The model's answer is JSON but not an object.");
        }

        if (Validation.TextRules.CheckJson(root) is { Count: > 0 } broken)
        {
            return Refused($"The model's answer holds text that cannot be stored: {broken[0].Message}");
        }

        MemoryContent content;
        try
        {
            content = kind switch
            {
                MemoryKind.Insight => new InsightContent(Field(root, "title"), Field(root, "description"), Field(root, "content")),
                MemoryKind.Summary => new SummaryContent(Field(root, "task_summary"), Field(root, "experience_summary")),
                MemoryKind.Workflow => new WorkflowContent(Field(root, "goal"), Strings(root, "workflow")),
                MemoryKind.Trajectory => new TrajectoryContent(Steps(root)),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
        }
        catch (MissingField missing)
        {
            return Refused(missing.Message);
        }

        var errors = content.Validate().ToList();
        if (errors.Count > 0)
        {
            return Refused($"The model's {Name(kind)} does not have the structure of one: {string.Join(" ", errors.Select(e => e.Message))}");
        }

        if (kind == MemoryKind.Insight)
        {
            var blocking = (await lint(content, cancellationToken)).Findings.Where(f => InsightBlockingRules.Contains(f.RuleId)).ToList();
            if (blocking.Count > 0)
            {
                var named = string.Join("; ", blocking.Take(3).Select(f => $"{f.Field} names '{f.Excerpt}' ({AbstractionRules.Find(f.RuleId)?.Title.ToLowerInvariant() ?? f.RuleId})"));
                return Refused($"The model's insight is not abstract: {named}. Insights name no files, identifiers, literals or benchmarks.");
            }
        }

        return new GeneratedContent(content, null);
    }

    private static GeneratedContent Refused(string reason) => new(null, reason);

    private static string Name(MemoryKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The JSON object in the answer: inside a ```json fence if there is one, else from the first brace to the last.</summary>
    private static string? JsonPart(string answer)
    {
        var fence = answer.IndexOf("```", StringComparison.Ordinal);
        if (fence >= 0)
        {
            var start = answer.IndexOf('\n', fence);
            var end = start < 0 ? -1 : answer.IndexOf("```", start, StringComparison.Ordinal);
            if (start >= 0 && end > start)
            {
                answer = answer[start..end];
            }
        }

        var open = answer.IndexOf('{');
        var close = answer.LastIndexOf('}');
        return open >= 0 && close > open ? answer[open..(close + 1)] : null;
    }

    private static string Field(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new MissingField($"The model's answer has no text field '{name}'.");

    private static List<string> Strings(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String)
            ? [.. value.EnumerateArray().Select(v => v.GetString()!)]
            : throw new MissingField($"The model's answer has no list of texts '{name}'.");

    private static List<TrajectoryStep> Steps(JsonElement root)
    {
        if (!root.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Array)
        {
            throw new MissingField("The model's answer has no list 'steps'.");
        }

        return [.. steps.EnumerateArray().Select((s, i) => s.ValueKind == JsonValueKind.Object
            ? new TrajectoryStep(
                s.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : throw new MissingField($"Step {i + 1} of the model's answer has no text 'action'."),
                s.TryGetProperty("observation", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : "")
            : throw new MissingField($"Step {i + 1} of the model's answer is not an object with action and observation."))];
    }

    private static string Excerpt(string? text)
    {
        var t = (text ?? "").Trim().ReplaceLineEndings(" ");
        return t.Length == 0 ? "(empty)" : t.Length <= 120 ? $"\"{t}\"" : $"\"{t[..117]}...\"";
    }

    private sealed class MissingField(string message) : Exception(message);
}
