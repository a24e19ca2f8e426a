using System.Buffers;
using System.Data;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Auditing;
using MtlPortal.Persistence;

namespace MtlPortal.Memories.Transfer;

/// <summary>How far an export has got: memories written of the pool's size.</summary>
public readonly record struct ExportProgress(int Done, int Total);

/// <summary>
/// Writes the approved pool as memory JSONL (<c>docs/memory-jsonl.md</c>): for every approved memory that is not
/// archived, its approved revision (never a newer revision still in review), ordered by memory id. It streams, a
/// page at a time, inside one repeatable-read transaction, so a large pool never sits in memory and the file is
/// one consistent snapshot even while reviewers work.
/// </summary>
public sealed class MemoryExporter(IDbContextFactory<PortalDbContext> contexts, AuditTrail audit)
{
    /// <summary>The media type of the files.</summary>
    public const string ContentType = "application/jsonl";

    private const int PageSize = 500;

    /// <summary>Writes the pool to <paramref name="output"/> and records who exported it; returns how many memories it wrote.</summary>
    /// <param name="actor">Who exported, for the audit trail (a user id, or <see cref="AuditTrail.CliActor"/>).</param>
    public async Task<int> ExportAsync(Stream output, string actor, IProgress<ExportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var done = 0;
        await using (var snapshot = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken))
        {
            var total = await Pool(db).CountAsync(cancellationToken);
            progress?.Report(new ExportProgress(0, total));
            var line = new ArrayBufferWriter<byte>();
            using var writer = new Utf8JsonWriter(line, MemoryRecord.WriterOptions);
            Guid? after = null;
            while (true)
            {
                var page = Pool(db);
                if (after is { } last)
                {
                    // Keyset paging: compared and ordered by the database, so both use PostgreSQL's uuid order.
                    page = page.Where(m => m.Id.CompareTo(last) > 0);
                }

                var rows = await page.OrderBy(m => m.Id).Take(PageSize)
                    .Select(m => new PoolRow(
                        m.Id, m.Team!.Name, m.ApprovedRevision!.Number, m.ApprovedRevision.DecidedAt, m.ApprovedRevision.ContentJson,
                        m.ApprovedRevision.SourceDomain, m.ApprovedRevision.SourceTaskRef, m.ApprovedRevision.SourceModel,
                        m.ApprovedRevision.Outcome, m.ApprovedRevision.Tags, m.ApprovedRevision.AbstractionScore))
                    .ToListAsync(cancellationToken);
                if (rows.Count == 0)
                {
                    break;
                }

                foreach (var row in rows)
                {
                    line.ResetWrittenCount();
                    writer.Reset();
                    row.ToRecord().WriteTo(writer);
                    writer.Flush();
                    line.Write("\n"u8);
                    await output.WriteAsync(line.WrittenMemory, cancellationToken);
                }

                done += rows.Count;
                after = rows[^1].Id;
                progress?.Report(new ExportProgress(done, Math.Max(total, done)));
            }

            await snapshot.CommitAsync(cancellationToken);
        }

        await output.FlushAsync(cancellationToken);
        audit.Record(db, actor, "memories.exported", "export", Guid.CreateVersion7().ToString(), JsonSerializer.Serialize(new { count = done }));
        await db.SaveChangesAsync(cancellationToken);
        return done;
    }

    /// <summary>How many memories an export would write now.</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await Pool(db).CountAsync(cancellationToken);
    }

    private static IQueryable<Memory> Pool(PortalDbContext db) => db.Memories.AsNoTracking().Served();

    private sealed record PoolRow(
        Guid Id, string Team, int Revision, DateTimeOffset? ApprovedAt, string ContentJson, string SourceDomain,
        string? SourceTaskRef, string SourceModel, SourceOutcome Outcome, List<string> Tags, double AbstractionScore)
    {
        public MemoryRecord ToRecord() => new(MemoryContent.FromJson(ContentJson), new Provenance(SourceDomain, SourceTaskRef, SourceModel, Outcome, Tags), Team)
        {
            Id = Id,
            Revision = Revision,
            ApprovedAt = ApprovedAt,
            AbstractionScore = AbstractionScore,
        };
    }
}
