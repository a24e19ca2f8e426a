using MtlPortal.Memories;

namespace MtlPortal.Retrieval;

/// <summary>A pooled memory's L2-normalised embedding as the index holds it.</summary>
public sealed record PooledVector(Guid MemoryId, MemoryKind Kind, ReadOnlyMemory<float> Vector);

public sealed partial class ApprovedPoolIndex
{
    /// <summary>
    /// Every memory in the pool now with its normalised embedding, for whole-pool statistics (pool health). The
    /// vectors are views of the index's rows, which never change once published (compaction copies them), so they
    /// stay valid however the pool changes afterwards.
    /// </summary>
    public IReadOnlyList<PooledVector> Rows()
    {
        PoolSnapshot snapshot = _snapshot;
        PoolStorage storage = snapshot.Storage;
        var rows = new List<PooledVector>(snapshot.LiveCount);
        for (int row = 0; row < snapshot.RowCount; row++)
        {
            if (snapshot.IsLive(row))
            {
                rows.Add(new PooledVector(storage.Ids[row], storage.Attributes[row].Kind, storage.Vectors.AsMemory(row * Dimensions, Dimensions)));
            }
        }

        return rows;
    }
}
