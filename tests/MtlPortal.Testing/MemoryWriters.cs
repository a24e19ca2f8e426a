using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Memories;
using MtlPortal.Reviews;

namespace MtlPortal.Testing;

/// <summary>The portal's writers of memories together, for tests that stage memories as several people.</summary>
public sealed record MemoryWriters(MemoryAuthoring Authoring, ReviewDecisions Reviews, MemoryBatchImport Batch)
{
    public static MemoryWriters From(IServiceProvider services) => new(
        services.GetRequiredService<MemoryAuthoring>(),
        services.GetRequiredService<ReviewDecisions>(),
        services.GetRequiredService<MemoryBatchImport>());
}
