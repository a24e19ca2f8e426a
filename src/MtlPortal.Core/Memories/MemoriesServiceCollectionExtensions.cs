using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Memories.Abstraction;
using MtlPortal.Memories.Transfer;
using MtlPortal.Settings;

namespace MtlPortal.Memories;

public static class MemoriesServiceCollectionExtensions
{
    /// <summary>Writing memories (authoring, reviews, batch import) and what it stands on (the linter, the analyzer, review settings), and JSONL import and export. Needs embeddings registered.</summary>
    public static IServiceCollection AddPortalMemories(this IServiceCollection services)
    {
        services.AddSingleton<AbstractionLinter>();
        services.AddSingleton<KnownDomainTerms>();
        services.AddSingleton<MemoryAnalyzer>();
        services.AddSingleton<ReviewSettingsStore>();
        services.AddSingleton<MemoryWriter>();
        services.AddSingleton<MemoryAuthoring>();
        services.AddSingleton<Reviews.ReviewDecisions>();
        services.AddSingleton<Reviews.PendingReviews>();
        services.AddSingleton<MemoryBatchImport>();
        services.AddSingleton<MemoryQueries>();
        services.AddSingleton<LatestRevisionQueries>();
        services.AddSingleton<ActorDirectory>();
        services.AddSingleton<DuplicateFinder>();
        services.AddSingleton<Retrieval.ReembedJob>();
        services.AddSingleton<MemoryImporter>();
        services.AddSingleton<MemoryExporter>();
        return services;
    }
}
