using MtlPortal.Memories;

namespace MtlPortal.Runs;

/// <summary>A run's conditions: <c>zero-shot</c>, and one per memory kind (the kind its retrievals return).</summary>
public static class RunConditions
{
    public const string ZeroShot = "zero-shot";

    public static IReadOnlyList<string> All { get; } = [ZeroShot, "insight", "summary", "workflow", "trajectory"];

    /// <summary>The canonical name, or null when <paramref name="name"/> is no condition.</summary>
    public static string? Parse(string? name)
    {
        var trimmed = name?.Trim().ToLowerInvariant();
        return All.FirstOrDefault(c => c == trimmed);
    }

    /// <summary>The memory kind a condition retrieves; null for zero-shot.</summary>
    public static MemoryKind? Kind(string condition) =>
        condition == ZeroShot ? null : Enum.Parse<MemoryKind>(condition, ignoreCase: true);
}
