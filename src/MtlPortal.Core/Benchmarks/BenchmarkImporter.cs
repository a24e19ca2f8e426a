using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Auditing;
using MtlPortal.Memories.Transfer;
using MtlPortal.Persistence;
using MtlPortal.Sandbox;

namespace MtlPortal.Benchmarks;

/// <summary>How to import a benchmark file.</summary>
/// <param name="Name">The benchmark's name, which is also its domain (leave-one-domain-out compares it with memories' source domain).</param>
/// <param name="Format">The file's format.</param>
/// <param name="SourceName">The file's name, for the record and the audit trail.</param>
/// <param name="Language">HumanEval-X and the portal's own format: the language, when the records do not say it.</param>
/// <param name="Replace">
/// A benchmark of that name exists: replace it (its tasks and verification results) rather than refuse. Never a
/// default, because a replaced benchmark's earlier runs would compare against different tasks.
/// </param>
public sealed record BenchmarkImportOptions(string Name, BenchmarkFormat Format, string SourceName, SandboxLanguage? Language = null, bool Replace = false);

/// <summary>What an import did: the benchmark and its task count, or the errors (by line) and nothing written.</summary>
public sealed record BenchmarkImportResult(Guid? BenchmarkId, int Imported, bool Replaced, IReadOnlyList<ImportError> Errors, int ErrorCount)
{
    public bool Succeeded => ErrorCount == 0;

    public static BenchmarkImportResult Failed(IReadOnlyList<ImportError> errors) =>
        new(null, 0, false, [.. errors.OrderBy(e => e.Line).Take(ImportResult.MaxErrors)], errors.Count);

    public static BenchmarkImportResult Failed(string message) => Failed([new ImportError(0, "", message)]);
}

/// <summary>How far an import has got: records checked of the total, then saved.</summary>
public readonly record struct BenchmarkImportProgress(ImportPhase Phase, int Done, int Total);

/// <summary>
/// Imports a benchmark from HumanEval, HumanEval-X, MBPP (full or sanitized) or the portal's own task JSONL, plain or
/// gzip-compressed. Every record is checked before anything is written, errors name their line, and a file with
/// any error imports nothing; the benchmark and all its tasks are then written in one transaction, audited.
/// </summary>
public sealed class BenchmarkImporter(IDbContextFactory<PortalDbContext> contexts, AuditTrail audit, TimeProvider clock)
{
    public const string ImportedAction = "benchmark.imported";
    public const string ReplacedAction = "benchmark.replaced";

    /// <param name="actor">The importing user's id, or <see cref="AuditTrail.CliActor"/>.</param>
    public async Task<BenchmarkImportResult> ImportAsync(Stream file, BenchmarkImportOptions options, string actor, IProgress<BenchmarkImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(options);
        var name = options.Name?.Trim() ?? "";
        if (name.Length == 0 || name.Length > Benchmark.NameMax)
        {
            return BenchmarkImportResult.Failed($"name: A benchmark's name has 1 to {Benchmark.NameMax} characters; it is also its domain, e.g. \"humaneval-x-python\".");
        }

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (!options.Replace && await ExistingAsync(db, name, cancellationToken) is { } existing)
            {
                return BenchmarkImportResult.Failed($"name: There is already a benchmark named '{existing.Name}' ({await db.BenchmarkTasks.CountAsync(t => t.BenchmarkId == existing.Id, cancellationToken)} tasks); choose another name, or replace it (--replace).");
            }
        }

        List<(int Line, JsonElement Record)> records;
        List<ImportError> errors;
        using (var text = await DecompressAsync(file, cancellationToken))
        {
            if (text is null)
            {
                return BenchmarkImportResult.Failed($"The file is larger than {MemoryImporter.MaxFileBytes / (1024 * 1024)} MB, or not valid gzip.");
            }

            (records, errors) = options.Format == BenchmarkFormat.MbppSanitized
                ? ReadJsonArray(text.ToArray())
                : await ReadJsonLinesAsync(text, cancellationToken);
        }

        if (errors.Any(e => e.Line == 0))
        {
            return BenchmarkImportResult.Failed(errors);
        }

        var tasks = new List<BenchmarkTask>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var checkedRecords = 0;
        foreach (var (line, record) in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            checkedRecords++;
            var (task, fieldErrors) = TaskParsers.Parse(options.Format, record, options.Language);
            errors.AddRange(fieldErrors.Select(e => new ImportError(line, e.Field, e.Message)));
            if (task is not null)
            {
                if (seen.TryGetValue(task.TaskId, out var first))
                {
                    errors.Add(new ImportError(line, "task_id", $"'{task.TaskId}' is already the id of the task on line {first}."));
                }
                else
                {
                    seen[task.TaskId] = line;
                    task.Ordinal = tasks.Count;
                    tasks.Add(task);
                }
            }

            progress?.Report(new BenchmarkImportProgress(ImportPhase.Validating, checkedRecords, records.Count));
        }

        if (records.Count == 0 && errors.Count == 0)
        {
            errors.Add(new ImportError(0, "", "The file holds no tasks."));
        }

        if (errors.Count > 0)
        {
            return BenchmarkImportResult.Failed(errors);
        }

        progress?.Report(new BenchmarkImportProgress(ImportPhase.Saving, 0, tasks.Count));
        var benchmark = new Benchmark
        {
            Id = Guid.CreateVersion7(), Name = name, Format = options.Format, SourceName = Truncate(options.SourceName, 260),
            ImportedAt = clock.GetUtcNow(), ImportedBy = actor,
        };
        foreach (var task in tasks)
        {
            task.Id = Guid.CreateVersion7();
            task.BenchmarkId = benchmark.Id;
        }

        benchmark.Tasks = tasks;
        var replaced = false;
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (await ExistingAsync(db, name, cancellationToken) is { } old)
            {
                if (!options.Replace)
                {
                    return BenchmarkImportResult.Failed($"name: A benchmark named '{old.Name}' was imported meanwhile; nothing was imported.");
                }

                db.Benchmarks.Remove(old);
                await db.SaveChangesAsync(cancellationToken);
                replaced = true;
            }

            db.Benchmarks.Add(benchmark);
            audit.Record(db, actor, replaced ? ReplacedAction : ImportedAction, nameof(Benchmark), benchmark.Id.ToString(), JsonSerializer.Serialize(new
            {
                name,
                format = TaskParsers.FormatName(options.Format),
                source = options.SourceName,
                tasks = tasks.Count,
                languages = tasks.Select(t => t.Language.Name()).Distinct(),
            }));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException e)
        {
            // Rolled back: the old benchmark (if any) is still there, and nothing of the new one.
            return BenchmarkImportResult.Failed(replaced || options.Replace
                ? $"The benchmark '{name}' could not be replaced (runs may still use its tasks), so nothing was imported: {(e.InnerException ?? e).Message}"
                : $"Writing the benchmark failed, so nothing was imported: {(e.InnerException ?? e).Message}");
        }

        progress?.Report(new BenchmarkImportProgress(ImportPhase.Saving, tasks.Count, tasks.Count));
        return new BenchmarkImportResult(benchmark.Id, tasks.Count, replaced, [], 0);
    }

    /// <summary>A benchmark by name, compared without regard to case (names are domains, and domains are matched so).</summary>
    public static Task<Benchmark?> ExistingAsync(PortalDbContext db, string name, CancellationToken cancellationToken) =>
        db.Benchmarks.FirstOrDefaultAsync(b => b.Name.ToLower() == name.Trim().ToLower(), cancellationToken);

    /// <summary>The file's bytes, gunzipped when they start with gzip's magic number; null when too large.</summary>
    private static async Task<MemoryStream?> DecompressAsync(Stream file, CancellationToken cancellationToken)
    {
        var raw = await CopyCappedAsync(file, cancellationToken);
        if (raw is null)
        {
            return null;
        }

        var bytes = raw.GetBuffer();
        if (raw.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b)
        {
            return raw;
        }

        try
        {
            raw.Position = 0;
            await using var gzip = new GZipStream(raw, CompressionMode.Decompress);
            return await CopyCappedAsync(gzip, cancellationToken);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static async Task<MemoryStream?> CopyCappedAsync(Stream source, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MemoryImporter.MaxFileBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        return buffer;
    }

    private static async Task<(List<(int, JsonElement)>, List<ImportError>)> ReadJsonLinesAsync(Stream text, CancellationToken cancellationToken)
    {
        var (lines, errors) = await MemoryImporter.ReadLinesAsync(text, cancellationToken);
        var records = new List<(int, JsonElement)>();
        foreach (var (number, line) in lines)
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                records.Add((number, document.RootElement.Clone()));
            }
            catch (JsonException e)
            {
                errors.Add(new ImportError(number, "", $"The line is not valid JSON: {e.Message}"));
            }
        }

        return (records, errors);
    }

    /// <summary>A JSON array of records (MBPP sanitized); each record's line is where its object starts.</summary>
    private static (List<(int, JsonElement)>, List<ImportError>) ReadJsonArray(byte[] bytes)
    {
        var records = new List<(int, JsonElement)>();
        ReadOnlySpan<byte> data = bytes;
        if (data.StartsWith("\uFEFF"u8))
        {
            data = data[3..];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data.ToArray());
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } l ? (int)l + 1 : 0;
            return (records, [new ImportError(line, "", $"The file is not valid JSON: {e.Message}")]);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return (records, [new ImportError(0, "", "The file must be a JSON array of tasks (MBPP sanitized's layout).")]);
            }

            var starts = new List<int>();
            var reader = new Utf8JsonReader(data);
            var line = 1;
            var counted = 0;
            while (reader.Read())
            {
                if (reader.CurrentDepth == 1 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null)
                {
                    var start = (int)reader.TokenStartIndex;
                    line += data[counted..start].Count((byte)'\n');
                    counted = start;
                    starts.Add(line);
                }

                if (reader.CurrentDepth == 1 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }

            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                records.Add((index < starts.Count ? starts[index] : 0, element.Clone()));
                index++;
            }
        }

        return (records, []);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
