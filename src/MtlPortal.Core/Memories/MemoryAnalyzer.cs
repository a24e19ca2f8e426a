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

    public async Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken = default) =>
        (await EmbedManyAsync([text], cancellationToken))[0];

    /// <summary>Embeds a search query: the generator may answer a repeated one from its cache.</summary>
    public async Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken = default) =>
        (await embedder.GenerateAsync([query], EmbeddingPurpose.Query(), cancellationToken))[0].Vector.ToArray();

    /// <summary>Embeds many texts in one call to the generator (one request to a remote model), in order.</summary>
    public async Task<IReadOnlyList<float[]>> EmbedManyAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        if (texts.Count == 0)
        {
            return [];
        }

        var embeddings = await embedder.GenerateAsync(texts, cancellationToken: cancellationToken);
        if (embeddings.Count != texts.Count)
        {
            throw new InvalidOperationException($"The embedding model returned {embeddings.Count} vectors for {texts.Count} texts.");
        }

        return [.. embeddings.Select(e => e.Vector.ToArray())];
    }

    public async Task<MemoryAnalysis> AnalyzeAsync(MemoryContent content, CancellationToken cancellationToken = default) =>
        new(await LintAsync(content, cancellationToken), await EmbedAsync(content.TextForEmbedding(), cancellationToken), model.ModelId);
}
