using MtlPortal.Reviews;

namespace MtlPortal.Memories;

/// <summary>What became of one memory of a bulk review.</summary>
public sealed record BulkReviewOutcome(Guid MemoryId, bool Succeeded, string? Message);

/// <summary>
/// One decision (approve, reject, request changes) with one comment on many memories. Each memory goes through
/// the single-memory review (<see cref="ReviewDecisions.DecideAsync(Actor, Guid, ReviewDecision, string?, int?, CancellationToken)"/>), one write each, so every rule holds per
/// memory (four eyes: nobody approves their own; the required approvals; a comment for a refusal) and every
/// transition has its own audit entry. One memory refused does not stop the others; the outcomes say which.
/// </summary>
public sealed class BulkReview(ReviewDecisions reviews)
{
    public const int MaxMemories = 500;

    public async Task<IReadOnlyList<BulkReviewOutcome>> DecideAsync(
        Actor actor, IReadOnlyList<Guid> memoryIds, ReviewDecision decision, string? comment,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(memoryIds);
        var ids = memoryIds.Distinct().ToList();
        if (ids.Count > MaxMemories)
        {
            return [.. ids.Select(id => new BulkReviewOutcome(id, false, $"A bulk review takes at most {MaxMemories} memories at once."))];
        }

        if (decision == ReviewDecision.Comment)
        {
            return [.. ids.Select(id => new BulkReviewOutcome(id, false, "A bulk review approves, rejects or requests changes."))];
        }

        var outcomes = new List<BulkReviewOutcome>(ids.Count);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await reviews.DecideAsync(actor, id, decision, comment, null, cancellationToken);
            outcomes.Add(new BulkReviewOutcome(id, result.Succeeded, result.Succeeded ? null : string.Join(" ", result.Errors.Select(e => e.Message))));
            progress?.Report((outcomes.Count, ids.Count));
        }

        return outcomes;
    }
}
