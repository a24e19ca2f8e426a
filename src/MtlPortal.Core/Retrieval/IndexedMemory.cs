using MtlPortal.Memories;

namespace MtlPortal.Retrieval;

/// <summary>
/// An approved memory as the retrieval index sees it: its identity, the attributes that retrieval filters on,
/// and its embedding. The index copies (and L2-normalises) the embedding, so the caller's buffer is not retained.
/// </summary>
/// <param name="MemoryId">The memory's identity; upserting the same id replaces the entry.</param>
/// <param name="Kind">Trajectory, workflow, summary or insight.</param>
/// <param name="SourceDomain">The domain (benchmark or code base) the memory was extracted from.</param>
/// <param name="TeamId">The team that owns the memory.</param>
/// <param name="SourceModel">The model whose run produced the memory.</param>
/// <param name="AbstractionScore">How free of domain specifics the memory is; must be a finite number.</param>
/// <param name="Embedding">The embedding of the memory's text; any non-zero length, finite values only.</param>
public sealed record IndexedMemory(
    Guid MemoryId,
    MemoryKind Kind,
    string SourceDomain,
    Guid TeamId,
    string SourceModel,
    double AbstractionScore,
    ReadOnlyMemory<float> Embedding);
