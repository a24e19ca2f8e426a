namespace MtlPortal.Memories.Transfer;

/// <summary>A problem with an import file.</summary>
/// <param name="Line">The 1-based line it is on; 0 for the file (or the import) as a whole.</param>
/// <param name="Field">The property path within the line, e.g. "content" or "steps[2].action"; empty for the whole line.</param>
public sealed record ImportError(int Line, string Field, string Message)
{
    /// <summary>As the CLI prints it: <c>line 17: content: The content is required.</c></summary>
    public override string ToString()
    {
        var field = Field.Length > 0 ? $"{Field}: " : "";
        return Line > 0 ? $"line {Line}: {field}{Message}" : $"{field}{Message}";
    }
}

/// <summary>How to import a file.</summary>
/// <param name="SourceName">The file's name, recorded in the audit trail ("imported from NAME line 17").</param>
/// <param name="DefaultTeam">The team (by name) of lines that name none; without it, the importer's only team.</param>
/// <param name="AsApproved">
/// Admins only, and never a default: the memories skip review and land in the approved pool, audited as
/// <see cref="MemoryBatchImport.ImportedApprovedAction"/>.
/// </param>
public sealed record ImportOptions(string SourceName, string? DefaultTeam = null, bool AsApproved = false);

/// <summary>The stages of an import, in order.</summary>
public enum ImportPhase
{
    /// <summary>Reading and checking every line; nothing is written yet.</summary>
    Validating = 0,

    /// <summary>Computing the memories' embeddings; nothing is written yet.</summary>
    Embedding = 1,

    /// <summary>Writing all memories in one transaction; reported at 0, then at the total once committed.</summary>
    Saving = 2,
}

/// <summary>How far an import has got: memories done of the total, in the current phase.</summary>
public readonly record struct ImportProgress(ImportPhase Phase, int Done, int Total);

/// <summary>
/// What an import did: the new memories, or (when anything was wrong) the errors and nothing written. Errors are
/// listed up to <see cref="MaxErrors"/>; <see cref="ErrorCount"/> counts them all.
/// </summary>
public sealed record ImportResult(IReadOnlyList<Guid> MemoryIds, bool AsApproved, IReadOnlyList<ImportError> Errors, int ErrorCount)
{
    public const int MaxErrors = 100;

    public bool Succeeded => ErrorCount == 0;

    public int Imported => MemoryIds.Count;

    public static ImportResult Failed(IReadOnlyList<ImportError> errors, bool asApproved) =>
        new([], asApproved, [.. errors.OrderBy(e => e.Line).Take(MaxErrors)], errors.Count);
}
