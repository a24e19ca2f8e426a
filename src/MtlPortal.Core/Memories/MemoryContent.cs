using System.Text.Json;
using System.Text.Json.Serialization;
using MtlPortal.Validation;

namespace MtlPortal.Memories;

/// <summary>
/// What a memory says, with the structure of its kind. Immutable: a change is a new revision. Each kind decides
/// in one place its title, the text that is embedded for retrieval, the fields the abstraction linter checks,
/// and its validation.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(InsightContent), "insight")]
[JsonDerivedType(typeof(SummaryContent), "summary")]
[JsonDerivedType(typeof(WorkflowContent), "workflow")]
[JsonDerivedType(typeof(TrajectoryContent), "trajectory")]
public abstract record MemoryContent
{
    public const int ShortTextMax = 200;
    public const int LongTextMax = 4000;
    public const int MaxSteps = 50;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // PostgreSQL's jsonb reorders keys (shorter first), so a workflow reads back as {"goal":…,"kind":…}.
        AllowOutOfOrderMetadataProperties = true,
    };

    [JsonIgnore]
    public abstract MemoryKind Kind { get; }

    /// <summary>A one-line title for lists.</summary>
    [JsonIgnore]
    public abstract string DisplayTitle { get; }

    /// <summary>The text that is embedded for similarity search: the whole memory, in reading order.</summary>
    public abstract string TextForEmbedding();

    /// <summary>The fields the abstraction linter reads, with their sentence limits.</summary>
    public abstract IReadOnlyList<ContentField> Fields();

    /// <summary>Storable text, required parts and lengths; field names are the property paths the forms and the API use.</summary>
    public IEnumerable<FieldError> Validate() =>
        TextRules.Check(Fields().Select(f => (f.Name, (string?)f.Text))).Concat(ValidateContent());

    /// <summary>The kind's own rules: required parts and lengths.</summary>
    protected abstract IEnumerable<FieldError> ValidateContent();

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static MemoryContent FromJson(string json) =>
        JsonSerializer.Deserialize<MemoryContent>(json, Json) ?? throw new JsonException("Memory content is empty.");

    /// <summary>A plain-text rendering, one field per paragraph, used for revision diffs and exports to people.</summary>
    public string ToPlainText() => string.Join("\n\n", Fields().Select(f => $"{f.Label}:\n{f.Text}"));

    protected static IEnumerable<FieldError> Required(string field, string? value, string label, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            yield return new FieldError(field, $"{label} is required.");
        }
        else if (value.Length > max)
        {
            yield return new FieldError(field, $"{label} has at most {max} characters ({value.Length} now).");
        }
    }
}

/// <summary>A field of a memory as the linter and the diff see it.</summary>
/// <param name="Name">The property path, e.g. "content" or "steps[2].action".</param>
/// <param name="Label">How people call it.</param>
public sealed record ContentField(string Name, string Label, string Text, int? MinSentences = null, int? MaxSentences = null);

/// <summary>The most abstract kind: a title, a one-sentence description and 1–3 sentences of content.</summary>
public sealed record InsightContent(string Title, string Description, string Content) : MemoryContent
{
    public const int TitleMax = 120;
    public const int DescriptionMax = 300;
    public const int ContentMax = 1000;

    [JsonIgnore]
    public override MemoryKind Kind => MemoryKind.Insight;

    [JsonIgnore]
    public override string DisplayTitle => Title;

    public override string TextForEmbedding() => $"{Title}\n{Description}\n{Content}";

    public override IReadOnlyList<ContentField> Fields() =>
    [
        new("title", "Title", Title ?? "", MaxSentences: 1),
        new("description", "Description", Description ?? "", MinSentences: 1, MaxSentences: 1),
        new("content", "Content", Content ?? "", MinSentences: 1, MaxSentences: 3),
    ];

    protected override IEnumerable<FieldError> ValidateContent() =>
        Required("title", Title, "The title", TitleMax)
            .Concat(Required("description", Description, "The description", DescriptionMax))
            .Concat(Required("content", Content, "The content", ContentMax));
}

/// <summary>The task, what was done, and why it succeeded or failed.</summary>
public sealed record SummaryContent(string TaskSummary, string OutcomeAnalysis) : MemoryContent
{
    [JsonIgnore]
    public override MemoryKind Kind => MemoryKind.Summary;

    [JsonIgnore]
    public override string DisplayTitle => FirstLine(TaskSummary);

    public override string TextForEmbedding() => $"{TaskSummary}\n{OutcomeAnalysis}";

    public override IReadOnlyList<ContentField> Fields() =>
    [
        new("taskSummary", "Task summary", TaskSummary ?? ""),
        new("outcomeAnalysis", "Outcome analysis", OutcomeAnalysis ?? ""),
    ];

    protected override IEnumerable<FieldError> ValidateContent() =>
        Required("taskSummary", TaskSummary, "The task summary", LongTextMax)
            .Concat(Required("outcomeAnalysis", OutcomeAnalysis, "The outcome analysis", LongTextMax));

    internal static string FirstLine(string? text)
    {
        var line = (text ?? "").Trim().Split('\n', 2)[0].Trim();
        return line.Length <= 120 ? line : line[..117] + "...";
    }
}

/// <summary>A goal and the reusable, ordered steps that reached it.</summary>
public sealed record WorkflowContent(string Goal, IReadOnlyList<string> Steps) : MemoryContent
{
    [JsonIgnore]
    public override MemoryKind Kind => MemoryKind.Workflow;

    [JsonIgnore]
    public override string DisplayTitle => SummaryContent.FirstLine(Goal);

    public override string TextForEmbedding() => $"{Goal}\n{string.Join("\n", Steps ?? [])}";

    public override IReadOnlyList<ContentField> Fields() =>
    [
        new("goal", "Goal", Goal ?? ""),
        .. (Steps ?? []).Select((s, i) => new ContentField($"steps[{i}]", $"Step {i + 1}", s ?? "")),
    ];

    protected override IEnumerable<FieldError> ValidateContent()
    {
        foreach (var error in Required("goal", Goal, "The goal", LongTextMax))
        {
            yield return error;
        }

        if (Steps is not { Count: > 0 })
        {
            yield return new FieldError("steps", "A workflow needs at least one step.");
            yield break;
        }

        if (Steps.Count > MaxSteps)
        {
            yield return new FieldError("steps", $"A workflow has at most {MaxSteps} steps ({Steps.Count} now).");
        }

        for (var i = 0; i < Steps.Count; i++)
        {
            foreach (var error in Required($"steps[{i}]", Steps[i], $"Step {i + 1}", LongTextMax))
            {
                yield return error;
            }
        }
    }

    public bool Equals(WorkflowContent? other) =>
        other is not null && Goal == other.Goal && (Steps ?? []).SequenceEqual(other.Steps ?? []);

    public override int GetHashCode() => HashCode.Combine(Goal, Steps?.Count);
}

/// <summary>One step of a trajectory: what the agent did and what it saw.</summary>
public sealed record TrajectoryStep(string Action, string Observation);

/// <summary>The agent's actions and observations, in order, without its reasoning.</summary>
public sealed record TrajectoryContent(IReadOnlyList<TrajectoryStep> Steps) : MemoryContent
{
    [JsonIgnore]
    public override MemoryKind Kind => MemoryKind.Trajectory;

    [JsonIgnore]
    public override string DisplayTitle => Steps is { Count: > 0 } ? SummaryContent.FirstLine(Steps[0].Action) : "";

    public override string TextForEmbedding() =>
        string.Join("\n", (Steps ?? []).Select(s => $"{s.Action}\n{s.Observation}"));

    public override IReadOnlyList<ContentField> Fields() =>
    [
        .. (Steps ?? []).SelectMany((s, i) => new[]
        {
            new ContentField($"steps[{i}].action", $"Step {i + 1} action", s?.Action ?? ""),
            new ContentField($"steps[{i}].observation", $"Step {i + 1} observation", s?.Observation ?? ""),
        }),
    ];

    protected override IEnumerable<FieldError> ValidateContent()
    {
        if (Steps is not { Count: > 0 })
        {
            yield return new FieldError("steps", "A trajectory needs at least one step.");
            yield break;
        }

        if (Steps.Count > MaxSteps)
        {
            yield return new FieldError("steps", $"A trajectory has at most {MaxSteps} steps ({Steps.Count} now).");
        }

        for (var i = 0; i < Steps.Count; i++)
        {
            foreach (var error in Required($"steps[{i}].action", Steps[i]?.Action, $"Step {i + 1}'s action", LongTextMax))
            {
                yield return error;
            }

            if ((Steps[i]?.Observation?.Length ?? 0) > LongTextMax)
            {
                yield return new FieldError($"steps[{i}].observation", $"Step {i + 1}'s observation has at most {LongTextMax} characters.");
            }
        }
    }

    public bool Equals(TrajectoryContent? other) =>
        other is not null && (Steps ?? []).SequenceEqual(other.Steps ?? []);

    public override int GetHashCode() => Steps?.Count ?? 0;
}
