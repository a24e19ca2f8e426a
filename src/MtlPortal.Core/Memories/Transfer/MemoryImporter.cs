using System.Text;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Llm;
using MtlPortal.Persistence;
using MtlPortal.Teams;

namespace MtlPortal.Memories.Transfer;

/// <summary>
/// Imports a memory JSONL file (<c>docs/memory-jsonl.md</c>) in two phases. First every line is read and checked:
/// its JSON, its kind and properties, the team it names, and everything <see cref="MemoryAuthoring"/> checks of a
/// new memory; the errors name their line. A file with any error imports nothing. Then
/// <see cref="MemoryBatchImport.CreateManyAsync"/> writes all memories in one transaction (in review, or approved
/// when an admin asks), so a failure midway leaves nothing behind.
/// </summary>
public sealed class MemoryImporter(MemoryBatchImport batch, IDbContextFactory<PortalDbContext> contexts)
{
    /// <summary>The largest file, in bytes (50 MiB): larger pools are imported as several files.</summary>
    public const long MaxFileBytes = 50L * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads <paramref name="file"/> to its end and imports it as <paramref name="actor"/>.</summary>
    public async Task<ImportResult> ImportAsync(Actor actor, Stream file, ImportOptions options, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        // Refusals that concern the import as a whole (not a contributor; approved without being an admin) come
        // from the workflow's own rules, before the file is even read.
        var refusals = await batch.CheckManyAsync(actor, [], options.AsApproved, null, cancellationToken);
        if (refusals.Count > 0)
        {
            return ImportResult.Failed([.. refusals.Select(e => new ImportError(0, "", e.Message))], options.AsApproved);
        }

        var (lines, errors) = await ReadLinesAsync(file, cancellationToken);
        if (errors.Any(e => e.Line == 0))
        {
            return ImportResult.Failed(errors, options.AsApproved);
        }

        var teams = await TeamsAsync(cancellationToken);
        Guid? defaultTeam = null;
        if (!string.IsNullOrWhiteSpace(options.DefaultTeam))
        {
            if (!teams.TryGetValue(options.DefaultTeam.Trim(), out var id))
            {
                return ImportResult.Failed([new ImportError(0, "team", $"No team named '{options.DefaultTeam.Trim()}'.")], options.AsApproved);
            }

            defaultTeam = id;
        }

        var items = new List<(int Line, NewMemory Memory)>();
        foreach (var (number, text) in lines)
        {
            var (record, lineErrors) = MemoryRecord.Parse(text);
            errors.AddRange(lineErrors.Select(e => new ImportError(number, e.Field, e.Message)));
            if (record is null)
            {
                continue;
            }

            var team = defaultTeam;
            if (record.Team is { } name)
            {
                if (!teams.TryGetValue(name.Trim(), out var id))
                {
                    errors.Add(new ImportError(number, "team", $"No team named '{name}'."));
                    continue;
                }

                team = id;
            }
            else if (team is null && actor.TeamIds.Count != 1)
            {
                errors.Add(new ImportError(number, "team", actor.TeamIds.Count == 0
                    ? "The line names no team, and you belong to none: add \"team\" to the line."
                    : "The line names no team, and you belong to several: add \"team\" to the line or choose a default team for the import."));
                continue;
            }

            items.Add((number, new NewMemory(new MemoryDraft(record.Content, record.Provenance, team), $"{options.SourceName} line {number}")));
        }

        if (lines.Count == 0 && errors.Count == 0)
        {
            return ImportResult.Failed([new ImportError(0, "", "The file holds no memories.")], options.AsApproved);
        }

        // The workflow counts the lines that parsed; lines that did not are already checked.
        var alreadyChecked = lines.Count - items.Count;
        var stages = new RelayProgress<BatchProgress>(p => progress?.Report(p.Stage switch
        {
            BatchStage.Checking => new ImportProgress(ImportPhase.Validating, alreadyChecked + p.Done, lines.Count),
            BatchStage.Embedding => new ImportProgress(ImportPhase.Embedding, p.Done, p.Total),
            _ => new ImportProgress(ImportPhase.Saving, p.Done, p.Total),
        }));

        if (errors.Count > 0)
        {
            var checks = await batch.CheckManyAsync(actor, [.. items.Select(i => i.Memory.Draft)], options.AsApproved, stages, cancellationToken);
            errors.AddRange(checks.Select(e => ToImportError(e, items)));
            return ImportResult.Failed(errors, options.AsApproved);
        }

        BatchResult result;
        try
        {
            result = await batch.CreateManyAsync(actor, [.. items.Select(i => i.Memory)], options.AsApproved, options.SourceName, stages, cancellationToken: cancellationToken);
        }
        catch (DbUpdateException e)
        {
            // The transaction rolled back: nothing of the import is in the database.
            return ImportResult.Failed([new ImportError(0, "", $"Writing the memories failed, so nothing was imported: {(e.InnerException ?? e).Message}")], options.AsApproved);
        }
        catch (ModelServiceException e)
        {
            // The embedding model failed before the transaction began.
            return ImportResult.Failed([new ImportError(0, "", $"Computing the embeddings failed, so nothing was imported: {e.Message}")], options.AsApproved);
        }

        return result.Succeeded
            ? new ImportResult(result.MemoryIds, options.AsApproved, [], 0)
            : ImportResult.Failed([.. result.Errors.Select(e => ToImportError(e, items))], options.AsApproved);
    }

    /// <summary>
    /// Splits a file into its non-blank lines (1-based numbers, a UTF-8 byte-order mark and CR before LF allowed),
    /// checking the file's and each line's size and encoding. An error on line 0 means the file was not read.
    /// </summary>
    public static async Task<(List<(int Number, string Text)> Lines, List<ImportError> Errors)> ReadLinesAsync(Stream file, CancellationToken cancellationToken = default)
    {
        var errors = new List<ImportError>();
        var lines = new List<(int, string)>();
        var bytes = await ReadAllAsync(file, cancellationToken);
        if (bytes is null)
        {
            errors.Add(new ImportError(0, "", $"The file is larger than {MaxFileBytes / (1024 * 1024)} MB; split it into smaller files."));
            return (lines, errors);
        }

        ReadOnlyMemory<byte> data = bytes;
        if (data.Span.StartsWith("\uFEFF"u8))
        {
            data = data[3..];
        }

        var number = 0;
        while (data.Length > 0 || number == 0)
        {
            number++;
            var end = data.Span.IndexOf((byte)'\n');
            var line = end < 0 ? data : data[..end];
            data = end < 0 ? ReadOnlyMemory<byte>.Empty : data[(end + 1)..];
            if (line.Span.EndsWith("\r"u8))
            {
                line = line[..^1];
            }

            if (line.Length > MemoryRecord.MaxLineBytes)
            {
                errors.Add(new ImportError(number, "", $"The line is {line.Length:N0} bytes long; a line has at most {MemoryRecord.MaxLineBytes:N0} bytes (1 MiB)."));
                continue;
            }

            string text;
            try
            {
                text = StrictUtf8.GetString(line.Span);
            }
            catch (DecoderFallbackException e)
            {
                errors.Add(new ImportError(number, "", $"The line is not valid UTF-8 (at byte {e.Index + 1})."));
                continue;
            }

            if (!string.IsNullOrWhiteSpace(text))
            {
                lines.Add((number, text));
            }
        }

        return (lines, errors);
    }

    /// <summary>The whole stream, or null when it is longer than <see cref="MaxFileBytes"/> (then it is not read further).</summary>
    private static async Task<byte[]?> ReadAllAsync(Stream file, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await file.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxFileBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private async Task<Dictionary<string, Guid>> TeamsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Teams.IdsByNameAsync(cancellationToken);
    }

    private static ImportError ToImportError(BatchError error, List<(int Line, NewMemory Memory)> items) => new(
        error.Index is { } index ? items[index].Line : 0,
        error.Field == "teamId" ? "team" : error.Field,
        error.Message);

    /// <summary>Reports on the caller's thread, in order (unlike <see cref="Progress{T}"/>, which posts).</summary>
    private sealed class RelayProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
