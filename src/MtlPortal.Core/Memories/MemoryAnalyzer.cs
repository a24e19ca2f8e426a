using Microsoft.Extensions.AI;
using MtlPortal.Embeddings;
using MtlPortal.Memories.Abstraction;

namespace MtlPortal.Memories;

/// <summary>What the portal computes from a memory's content: its abstraction report and its embedding.</summary>
public sealed record MemoryAnalysis(AbstractionReport Abstraction, float[] Embedding, string EmbeddingModel);

/// <summary>Lints and embeds memory content: the one place that turns content into a score and a vector.</summary>
public sealed class MemoryAnalyzer(
    AbstractionLinter linter,
    KnownDomainTerms terms,
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    EmbeddingModelInfo model)
{
    public string EmbeddingModel => model.ModelId;

    public async Task<AbstractionReport> LintAsync(MemoryContent content, CancellationToken cancellationToken = default) =>
        linter.Lint(
            [.. content.Fields().Select(f => new LintField(f.Name, f.Text, f.MinSentences, f.MaxSentences))],
            await terms.GetAsync(cancellationToken));

    public async Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken = default)
    {
        var embeddings = await embedder.GenerateAsync([text], cancellationToken: cancellationToken);
        return embeddings[0].Vector.ToArray();
    }

    public async Task<MemoryAnalysis> AnalyzeAsync(MemoryContent content, CancellationToken cancellationToken = default) =>
        new(await LintAsync(content, cancellationToken), await EmbedAsync(content.TextForEmbedding(), cancellationToken), model.ModelId);
}
