using Microsoft.EntityFrameworkCore;
using MtlPortal.Auditing;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Validation;
using Npgsql;

namespace MtlPortal.Agents;

/// <summary>What an agent reports after a search: how the task went, and which of the returned memories it used.</summary>
public sealed record FeedbackRequest(Guid RetrievalId, string Outcome, IReadOnlyList<Guid>? MemoryIds, string? Note);

/// <summary>Records outcomes against the search that served them, so results can be attributed to memories.</summary>
public sealed class FeedbackService(IDbContextFactory<PortalDbContext> contexts, RetrievalLog log, AuditTrail audit, TimeProvider clock)
{
    public const int NoteMax = 2000;

    public async Task<WriteResult<Feedback>> RecordAsync(ApiCaller caller, FeedbackRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new List<FieldError>();
        var outcome = request.Outcome?.Trim().ToLowerInvariant() switch
        {
            "success" => SourceOutcome.Success,
            "failure" => SourceOutcome.Failure,
            _ => (SourceOutcome?)null,
        };
        if (outcome is null)
        {
            errors.Add(new FieldError("outcome", "The outcome is 'success' or 'failure'."));
        }

        if (TextRules.Check("note", request.Note) is { } unstorable)
        {
            errors.Add(unstorable);
        }
        else if (request.Note?.Length > NoteMax)
        {
            errors.Add(new FieldError("note", $"A note has at most {NoteMax} characters."));
        }

        if (request.RetrievalId == Guid.Empty)
        {
            errors.Add(new FieldError("retrievalId", "Give the retrievalId that the search returned."));
        }

        if (errors.Count > 0)
        {
            return WriteResult<Feedback>.Fail(errors);
        }

        // Only this search's own log line is waited for, never the whole queue.
        if (!await log.EnsureWrittenAsync(request.RetrievalId, cancellationToken))
        {
            return WriteResult<Feedback>.Conflict("The search this feedback names is not stored yet: the database does not take writes right now. Send the feedback again in a minute.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var retrieval = await db.Retrievals.AsNoTracking().Include(r => r.Hits)
            .FirstOrDefaultAsync(r => r.Id == request.RetrievalId && r.UserId == caller.UserId, cancellationToken);
        if (retrieval is null)
        {
            return WriteResult<Feedback>.Fail("retrievalId", "No search of yours has this retrievalId.");
        }

        // One outcome per search: a second one would count the same attempt twice in the memories' tallies.
        if (await EarlierOutcomeAsync(db, retrieval.Id, cancellationToken) is { } earlier)
        {
            return AlreadyReported(earlier);
        }

        var used = request.MemoryIds?.Distinct().ToList() ?? [];
        var returned = retrieval.Hits.Select(h => h.MemoryId).ToHashSet();
        if (used.FirstOrDefault(id => !returned.Contains(id)) is var stranger && stranger != Guid.Empty)
        {
            return WriteResult<Feedback>.Fail("memoryIds", $"Memory {stranger} was not among the memories that search returned.");
        }

        var feedback = new Feedback
        {
            Id = Guid.CreateVersion7(), RetrievalId = retrieval.Id, ApiKeyId = caller.KeyId, UserId = caller.UserId,
            Outcome = outcome!.Value, MemoryIds = used, Note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim(), At = clock.GetUtcNow(),
        };
        db.Feedback.Add(feedback);
        audit.Record(db, caller.UserId, "feedback.recorded", "retrieval", retrieval.Id.ToString(), $"{feedback.Outcome}; used {used.Count} memories; key {caller.KeyName}");
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another report for the same search committed between the check above and this write (the unique
            // index on the retrieval id keeps the rule); the first one stands.
            await using var fresh = await contexts.CreateDbContextAsync(cancellationToken);
            return AlreadyReported(await EarlierOutcomeAsync(fresh, retrieval.Id, cancellationToken) ?? feedback.Outcome);
        }

        return WriteResult<Feedback>.Ok(feedback);
    }

    private static Task<SourceOutcome?> EarlierOutcomeAsync(PortalDbContext db, Guid retrievalId, CancellationToken cancellationToken) =>
        db.Feedback.AsNoTracking().Where(f => f.RetrievalId == retrievalId).Select(f => (SourceOutcome?)f.Outcome).FirstOrDefaultAsync(cancellationToken);

    private static WriteResult<Feedback> AlreadyReported(SourceOutcome earlier) => WriteResult<Feedback>.Conflict(
        $"An outcome ({earlier.ToString().ToLowerInvariant()}) was already reported for this search; each search takes one outcome. Search again for a new task.");
}
