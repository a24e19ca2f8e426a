using MtlPortal.Memories;

namespace MtlPortal.Retrieval;

/// <summary>What the pool serves of one memory: its approved revision, with provenance and team.</summary>
public sealed record ServedMemory(
    Guid MemoryId,
    Guid RevisionId,
    int Revision,
    MemoryContent Content,
    Provenance Provenance,
    Guid TeamId,
    string Team,
    DateTimeOffset ApprovedAt,
    double AbstractionScore);
