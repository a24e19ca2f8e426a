using System.Diagnostics;
using Microsoft.Extensions.AI;
using MtlPortal.Agents;
using MtlPortal.Embeddings;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;
using MtlPortal.Retrieval;

namespace MtlPortal.Bench;

/// <summary>
/// The search's own steps, in this process on one thread, over the same memories and queries the portal gets: what a
/// search costs before HTTP, authentication, rate limiting, JSON and the search log are added. Set against the
/// portal's CPU per request, it says how much of the server's time is the search and how much is the rest.
/// </summary>
internal static class SearchBreakdown
{
    public sealed record Result(double EmbedMicroseconds, double SearchMicroseconds, double PromptBlockMicroseconds, int Searches)
    {
        public double TotalMicroseconds => EmbedMicroseconds + SearchMicroseconds + PromptBlockMicroseconds;
    }

    public static async Task<Result> MeasureAsync(string memoriesFile, IReadOnlyList<string> queries, int k, CancellationToken cancellationToken)
    {
        using var embedder = new LexicalEmbeddingGenerator();
        var records = File.ReadLines(memoriesFile).Select(line => MemoryRecord.Parse(line).Record!).ToList();
        var vectors = await embedder.GenerateAsync(records.Select(r => r.Content.TextForEmbedding()), cancellationToken: cancellationToken);
        var index = new ApprovedPoolIndex(embedder.ModelInfo.Dimensions);
        var served = new Dictionary<Guid, ServedMemory>();
        var team = Guid.NewGuid();
        var indexed = new List<IndexedMemory>(records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            var (content, provenance, _) = records[i];
            var id = Guid.CreateVersion7();
            indexed.Add(new IndexedMemory(id, content.Kind, provenance.SourceDomain, team, provenance.SourceModel, 1.0, vectors[i].Vector));
            served[id] = new ServedMemory(id, Guid.CreateVersion7(), 1, content, provenance, team, "Bench", DateTimeOffset.UtcNow, 1.0);
        }

        index.ReplaceAll(indexed);
        var filter = new RetrievalFilter { Kinds = [MemoryKind.Insight], ExcludeDomains = [InsightCorpus.QueryDomain] };
        var embeddings = new float[queries.Count][];
        var hits = new IReadOnlyList<IndexHit>[queries.Count];

        double embed = Time(queries.Count, i => embeddings[i] = Embed(embedder, queries[i]));
        double search = Time(queries.Count, i => hits[i] = index.Search(embeddings[i], k, filter));
        double prompt = Time(queries.Count, i => PromptBlock.Render([.. hits[i].Select(h => served[h.MemoryId])]));
        return new Result(embed, search, prompt, queries.Count);
    }

    private static float[] Embed(LexicalEmbeddingGenerator embedder, string text) =>
        embedder.GenerateAsync([text]).GetAwaiter().GetResult()[0].Vector.ToArray();

    // Mean µs per call over every query, after half a second of unmeasured passes that let tiered compilation
    // optimise the code; the best of three passes, since the machine is shared and the least disturbed pass shows
    // the step's own cost.
    private static double Time(int count, Action<int> step)
    {
        var warmUp = Stopwatch.StartNew();
        for (int pass = 0; pass < 2 || (warmUp.ElapsedMilliseconds < 500 && pass < 100); pass++)
        {
            for (int i = 0; i < count; i++)
            {
                step(i);
            }
        }

        double best = double.PositiveInfinity;
        for (int pass = 0; pass < 3; pass++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
            {
                step(i);
            }

            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMicroseconds / count);
        }

        return best;
    }
}
