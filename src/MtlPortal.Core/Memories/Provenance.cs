using MtlPortal.Validation;

namespace MtlPortal.Memories;

/// <summary>How the run that produced a memory ended.</summary>
public enum SourceOutcome
{
    Unknown = 0,
    Success = 1,
    Failure = 2,
}

/// <summary>
/// Where a memory came from. The source domain drives leave-one-domain-out retrieval; the source model lets
/// agents prefer (or avoid) memories made by their own model.
/// </summary>
/// <param name="SourceDomain">The benchmark or task family, e.g. "swe-bench" or "mbpp".</param>
/// <param name="SourceTaskRef">The task within it, e.g. an instance id; optional.</param>
/// <param name="SourceModel">The model whose run produced it, e.g. "gpt-5-mini"; "human" for hand-written memories.</param>
public sealed record Provenance(string SourceDomain, string? SourceTaskRef, string SourceModel, SourceOutcome Outcome, IReadOnlyList<string> Tags)
{
    public const int DomainMax = 100;
    public const int TaskRefMax = 300;
    public const int ModelMax = 100;
    public const int TagMax = 40;
    public const int MaxTags = 20;

    /// <summary>Trimmed, with tags lower-cased, de-duplicated and sorted, so equal provenance compares equal.</summary>
    public Provenance Normalized() => this with
    {
        SourceDomain = SourceDomain?.Trim() ?? "",
        SourceTaskRef = string.IsNullOrWhiteSpace(SourceTaskRef) ? null : SourceTaskRef.Trim(),
        SourceModel = SourceModel?.Trim() ?? "",
        Tags = [.. (Tags ?? []).Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).Distinct().Order(StringComparer.Ordinal)],
    };

    public IEnumerable<FieldError> Validate()
    {
        foreach (var error in TextRules.Check([("sourceDomain", SourceDomain), ("sourceTaskRef", SourceTaskRef), ("sourceModel", SourceModel), .. (Tags ?? []).Select((t, i) => ($"tags[{i}]", (string?)t))]))
        {
            yield return error;
        }

        if (string.IsNullOrWhiteSpace(SourceDomain))
        {
            yield return new FieldError("sourceDomain", "The source domain is required (the benchmark or task family the memory came from).");
        }
        else if (SourceDomain.Length > DomainMax)
        {
            yield return new FieldError("sourceDomain", $"The source domain has at most {DomainMax} characters.");
        }

        if (SourceTaskRef?.Length > TaskRefMax)
        {
            yield return new FieldError("sourceTaskRef", $"The source task reference has at most {TaskRefMax} characters.");
        }

        if (string.IsNullOrWhiteSpace(SourceModel))
        {
            yield return new FieldError("sourceModel", "The source model is required (use \"human\" for a hand-written memory).");
        }
        else if (SourceModel.Length > ModelMax)
        {
            yield return new FieldError("sourceModel", $"The source model has at most {ModelMax} characters.");
        }

        if (!Enum.IsDefined(Outcome))
        {
            yield return new FieldError("outcome", "The outcome is success, failure or unknown.");
        }

        if (Tags?.Count > MaxTags)
        {
            yield return new FieldError("tags", $"A memory has at most {MaxTags} tags.");
        }

        foreach (var tag in Tags ?? [])
        {
            if (tag.Length > TagMax)
            {
                yield return new FieldError("tags", $"A tag has at most {TagMax} characters ('{tag[..20]}...').");
            }
        }
    }

    public bool Equals(Provenance? other) =>
        other is not null && SourceDomain == other.SourceDomain && SourceTaskRef == other.SourceTaskRef
        && SourceModel == other.SourceModel && Outcome == other.Outcome && (Tags ?? []).SequenceEqual(other.Tags ?? []);

    public override int GetHashCode() => HashCode.Combine(SourceDomain, SourceTaskRef, SourceModel, Outcome);
}
