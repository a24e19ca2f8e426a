namespace MtlPortal.Memories;

/// <summary>
/// Told, in this process and right after commit, which memories' served revisions changed (approved, superseded,
/// archived), so that this instance reads its own writes at once. Other instances learn of the same change
/// through PostgreSQL NOTIFY.
/// </summary>
public interface IPoolObserver
{
    Task PoolChangedAsync(IReadOnlyCollection<Guid> memoryIds, CancellationToken cancellationToken);
}
