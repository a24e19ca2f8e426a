using System.Collections.Immutable;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using MtlPortal.Validation;

namespace MtlPortal.Memories.Transfer;

/// <summary>
/// One line of a memory JSONL file (<c>docs/memory-jsonl.md</c>): a JSON object with <c>kind</c>, the kind's
/// content fields exactly as <see cref="MemoryContent"/> serialises them, the provenance, and the owning team's
/// name. Exports add <see cref="Id"/>, <see cref="Revision"/>, <see cref="ApprovedAt"/> and
/// <see cref="AbstractionScore"/>; imports read them but do not use them (an import always creates new memories).
/// </summary>
/// <param name="Team">The owning team's name; null on import means the import's default team.</param>
public sealed record MemoryRecord(MemoryContent Content, Provenance Provenance, string? Team)
{
    /// <summary>
    /// The longest line, in UTF-8 bytes. The largest valid memory, a trajectory of 50 steps with 4,000-character
    /// actions and observations, is about 400,000 characters; 1 MiB leaves room for escapes and provenance.
    /// </summary>
    public const int MaxLineBytes = 1024 * 1024;

    /// <summary>The values of <c>outcome</c>, in the order of <see cref="SourceOutcome"/>.</summary>
    public static readonly ImmutableArray<string> Outcomes = ["unknown", "success", "failure"];

    /// <summary>The content fields of each kind, in the order they are written.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> KindFields = new Dictionary<string, IReadOnlyList<string>>
    {
        ["insight"] = ["title", "description", "content"],
        ["summary"] = ["taskSummary", "outcomeAnalysis"],
        ["workflow"] = ["goal", "steps"],
        ["trajectory"] = ["steps"],
    };

    private static readonly string[] ProvenanceFields = ["sourceDomain", "sourceTaskRef", "sourceModel", "outcome", "tags", "team"];
    private static readonly string[] ExportFields = ["id", "revision", "approvedAt", "abstractionScore"];
    private static readonly string[] StepFields = ["action", "observation"];
    private static readonly JsonDocumentOptions StrictJson = new() { MaxDepth = 16 };

    // Readable text in the file (non-ASCII letters, <, >, &, quotes in code) rather than \u escapes; the file is
    // data, never embedded in HTML. Control characters, line breaks included, are still escaped, so a record
    // stays on one line.
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The memory's id in the portal it was exported from.</summary>
    public Guid? Id { get; init; }

    /// <summary>The number of the exported (approved) revision.</summary>
    public int? Revision { get; init; }

    /// <summary>When the exported revision was approved.</summary>
    public DateTimeOffset? ApprovedAt { get; init; }

    /// <summary>The abstraction linter's score of the exported revision (0–1).</summary>
    public double? AbstractionScore { get; init; }

    /// <summary>The record as one line of JSON, without the line break.</summary>
    public string ToJsonLine()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes the record as one JSON object, in the documented property order.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();

        // The content's own serialisation ("kind" first, then its fields), so the file and the database agree.
        using (var content = JsonDocument.Parse(Content.ToJson()))
        {
            foreach (var property in content.RootElement.EnumerateObject())
            {
                property.WriteTo(writer);
            }
        }

        writer.WriteString("sourceDomain", Provenance.SourceDomain);
        if (Provenance.SourceTaskRef is { } taskRef)
        {
            writer.WriteString("sourceTaskRef", taskRef);
        }

        writer.WriteString("sourceModel", Provenance.SourceModel);
        writer.WriteString("outcome", Outcomes[(int)Provenance.Outcome]);
        writer.WriteStartArray("tags");
        foreach (var tag in Provenance.Tags ?? [])
        {
            writer.WriteStringValue(tag);
        }

        writer.WriteEndArray();
        if (Team is not null)
        {
            writer.WriteString("team", Team);
        }

        if (Id is { } id)
        {
            writer.WriteString("id", id);
        }

        if (Revision is { } revision)
        {
            writer.WriteNumber("revision", revision);
        }

        if (ApprovedAt is { } approvedAt)
        {
            writer.WriteString("approvedAt", approvedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        }

        if (AbstractionScore is { } score)
        {
            writer.WriteNumber("abstractionScore", score);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Reads one line: its JSON syntax, its kind, every property's name and type. Content and provenance rules
    /// (required fields, lengths) are the workflow's, checked when the memory is written. Property names are
    /// case-sensitive; a property the kind does not have is an error that names it.
    /// </summary>
    public static (MemoryRecord? Record, IReadOnlyList<FieldError> Errors) Parse(string line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, StrictJson);
        }
        catch (JsonException e)
        {
            return (null, [new FieldError("", SyntaxError(e))]);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, [new FieldError("", $"A line must hold one JSON object ({{...}}), not {Describe(root)}.")]);
            }

            if (TextRules.CheckJson(root) is { Count: > 0 } unstorable)
            {
                return (null, unstorable);
            }

            return new LineReader(root).Read();
        }
    }

    private static string SyntaxError(JsonException e)
    {
        // System.Text.Json appends "Path: $ | LineNumber: 0 | BytePositionInLine: 12."; the line number is ours.
        var message = e.Message;
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal) is var p and >= 0 ? p
            : message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }

        return e.BytePositionInLine is { } position
            ? $"Not valid JSON (at byte {position + 1}): {message}"
            : $"Not valid JSON: {message}";
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>Reads one object, collecting every error rather than stopping at the first.</summary>
    private sealed class LineReader(JsonElement root)
    {
        private readonly List<FieldError> _errors = [];
        private readonly Dictionary<string, JsonElement> _properties = new(StringComparer.Ordinal);

        public (MemoryRecord? Record, IReadOnlyList<FieldError> Errors) Read()
        {
            foreach (var property in root.EnumerateObject())
            {
                if (!_properties.TryAdd(property.Name, property.Value))
                {
                    _errors.Add(new FieldError(property.Name, $"'{property.Name}' appears twice."));
                }
            }

            var kind = Kind();
            CheckNames(kind);
            var content = kind switch
            {
                "insight" => new InsightContent(Text("title"), Text("description"), Text("content")),
                "summary" => new SummaryContent(Text("taskSummary"), Text("outcomeAnalysis")),
                "workflow" => new WorkflowContent(Text("goal"), WorkflowSteps()),
                "trajectory" => new TrajectoryContent(TrajectorySteps()),
                _ => (MemoryContent?)null,
            };
            var provenance = new Provenance(Text("sourceDomain"), OptionalText("sourceTaskRef"), Text("sourceModel"), Outcome(), Tags());
            var team = OptionalText("team");
            var record = content is null ? null : new MemoryRecord(content, provenance, team)
            {
                Id = Uuid("id"),
                Revision = Integer("revision"),
                ApprovedAt = Date("approvedAt"),
                AbstractionScore = Number("abstractionScore"),
            };
            return _errors.Count == 0 ? (record, []) : (null, _errors);
        }

        private string? Kind()
        {
            if (!_properties.TryGetValue("kind", out var value) || value.ValueKind == JsonValueKind.Null)
            {
                _errors.Add(new FieldError("kind", "The kind is required: insight, summary, workflow or trajectory."));
                return null;
            }

            if (value.ValueKind != JsonValueKind.String || !KindFields.ContainsKey(value.GetString()!))
            {
                _errors.Add(new FieldError("kind", $"Unknown kind {value.GetRawText()}; the kinds are insight, summary, workflow and trajectory (lower case)."));
                return null;
            }

            return value.GetString();
        }

        private void CheckNames(string? kind)
        {
            var allowed = (kind is null ? KindFields.Values.SelectMany(f => f) : KindFields[kind])
                .Append("kind").Concat(ProvenanceFields).Concat(ExportFields).ToHashSet(StringComparer.Ordinal);
            foreach (var name in _properties.Keys.Where(n => !allowed.Contains(n)))
            {
                var owner = KindFields.FirstOrDefault(k => k.Value.Contains(name)).Key;
                _errors.Add(new FieldError(name, owner is not null
                    ? $"Unknown property '{name}': {Article(kind!)} {kind} has {string.Join(", ", KindFields[kind!])} ('{name}' belongs to {Article(owner)} {owner})."
                    : $"Unknown property '{name}'. Property names are case-sensitive; see docs/memory-jsonl.md for the format."));
            }
        }

        private static string Article(string kind) => kind is "insight" ? "an" : "a";

        /// <summary>A string (null when absent, so the workflow reports it as required).</summary>
        private string Text(string name) => OptionalText(name)!;

        private string? OptionalText(string name) =>
            !_properties.TryGetValue(name, out var value) ? null : StringOf(name, value);

        private string? StringOf(string field, JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    return value.GetString();
                case JsonValueKind.Null:
                    return null;
                default:
                    _errors.Add(new FieldError(field, $"'{field}' must be a string, not {Describe(value)}."));
                    return null;
            }
        }

        private JsonElement[]? Array(string name)
        {
            if (!_properties.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                _errors.Add(new FieldError(name, $"'{name}' must be an array, not {Describe(value)}."));
                return null;
            }

            return [.. value.EnumerateArray()];
        }

        private IReadOnlyList<string> WorkflowSteps() =>
            Array("steps")?.Select((step, i) => StringOf($"steps[{i}]", step)!).ToList() ?? null!;

        private IReadOnlyList<TrajectoryStep> TrajectorySteps() =>
            Array("steps")?.Select(Step).ToList() ?? null!;

        private TrajectoryStep Step(JsonElement step, int i)
        {
            var path = $"steps[{i}]";
            if (step.ValueKind != JsonValueKind.Object)
            {
                _errors.Add(new FieldError(path, $"A trajectory step must be an object with \"action\" and \"observation\", not {Describe(step)}."));
                return new TrajectoryStep("", null!);
            }

            string? action = null, observation = null;
            foreach (var property in step.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "action":
                        action = StringOf($"{path}.action", property.Value);
                        break;
                    case "observation":
                        observation = StringOf($"{path}.observation", property.Value);
                        break;
                    default:
                        _errors.Add(new FieldError($"{path}.{property.Name}", $"Unknown property '{property.Name}' in a trajectory step; a step has {string.Join(" and ", StepFields)}."));
                        break;
                }
            }

            return new TrajectoryStep(action!, observation!);
        }

        private SourceOutcome Outcome()
        {
            var text = OptionalText("outcome");
            if (text is null)
            {
                return SourceOutcome.Unknown;
            }

            var index = Outcomes.IndexOf(text);
            if (index < 0)
            {
                _errors.Add(new FieldError("outcome", $"Unknown outcome \"{text}\"; the outcomes are success, failure and unknown."));
                return SourceOutcome.Unknown;
            }

            return (SourceOutcome)index;
        }

        private IReadOnlyList<string> Tags() =>
            Array("tags")?.Select((tag, i) => StringOf($"tags[{i}]", tag) ?? "").ToList() ?? [];

        private Guid? Uuid(string name) =>
            OptionalText(name) is not { } text ? null
            : Guid.TryParse(text, out var id) ? id
            : Invalid<Guid>(name, "a UUID");

        private DateTimeOffset? Date(string name) =>
            OptionalText(name) is not { } text ? null
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at
            : Invalid<DateTimeOffset>(name, "an ISO 8601 date and time");

        private int? Integer(string name) =>
            !_properties.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
            : value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n
            : Invalid<int>(name, "a whole number");

        private double? Number(string name) =>
            !_properties.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
            : value.ValueKind == JsonValueKind.Number ? value.GetDouble()
            : Invalid<double>(name, "a number");

        private T? Invalid<T>(string name, string expected)
            where T : struct
        {
            _errors.Add(new FieldError(name, $"'{name}' must be {expected}."));
            return null;
        }
    }
}
