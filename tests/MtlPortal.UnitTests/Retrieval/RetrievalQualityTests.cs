using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using MtlPortal.Embeddings;
using MtlPortal.Settings;
using MtlPortal.Testing.Retrieval;
using MtlPortal.UnitTests.Embeddings;
using Xunit.Abstractions;

namespace MtlPortal.UnitTests.Retrieval;

/// <summary>
/// Retrieval quality on the labelled set: recall@3 and MRR for each embedder, each choice of what is embedded and
/// each kind of query. The figures are printed (bench/README.md quotes them); the tests assert the decisions they
/// support. Plan queries here are the plans written in the set, standing in for an LLM's.
/// </summary>
public sealed class RetrievalQualityTests(LocalModelFixture model, ITestOutputHelper output) : IClassFixture<LocalModelFixture>
{
    private static readonly LabelledSet Set = LabelledSet.Load();

    [Fact]
    public void TheSetHasFortyTasksOverFiveDomainsEachWithRelevantMemoriesThatExist()
    {
        var ids = Set.Memories.Select(m => m.Id).ToHashSet();

        Assert.True(Set.Tasks.Count >= 40);
        Assert.Equal(5, Set.Tasks.Select(t => t.Domain).Distinct().Count());
        Assert.All(Set.Tasks, t => Assert.All(t.Relevant, r => Assert.Contains(r, ids)));
        Assert.All(Set.Tasks, t => Assert.NotEmpty(t.Relevant));
    }

    [Fact]
    public async Task TheLocalModelFindsRelevantMemoriesBetterThanTheLexicalEmbedder_ForTasksAndForPlans()
    {
        var scores = await AllScoresAsync();

        foreach (var query in new[] { TaskQuery, PlanQuery })
        {
            var local = scores[(Local, Whole, query)];
            var lexical = scores[(Lexical, Whole, query)];
            Assert.True(local.RecallAt3 > lexical.RecallAt3, $"{query}: recall@3 local {local.RecallAt3:F3} vs lexical {lexical.RecallAt3:F3}");
            Assert.True(local.MeanReciprocalRank > lexical.MeanReciprocalRank, $"{query}: MRR local {local.MeanReciprocalRank:F3} vs lexical {lexical.MeanReciprocalRank:F3}");
        }
    }

    [Fact]
    public async Task EmbeddingTheWholeMemoryFindsMoreThanEmbeddingThePapersKeyAlone()
    {
        // MemoryContent.TextForEmbedding is the one place that decides what is embedded; this is why it is the whole text.
        var scores = await AllScoresAsync();

        foreach (var provider in new[] { Local, Lexical })
        {
            foreach (var query in new[] { TaskQuery, PlanQuery })
            {
                var whole = scores[(provider, Whole, query)];
                var key = scores[(provider, Key, query)];
                Assert.True(whole.RecallAt3 > key.RecallAt3, $"{provider}, {query}: whole {whole}, key {key}");
            }
        }
    }

    [Fact]
    public async Task TheDefaultDuplicateThresholdFlagsParaphrasesOfOneAdviceAndNoPairThatOnlySharesWords()
    {
        var threshold = ReviewSettings.Defaults.DuplicateThreshold;
        var a = await model.Generator.GenerateAsync(Set.Paraphrases.Select(p => p.A));
        var b = await model.Generator.GenerateAsync(Set.Paraphrases.Select(p => p.B));
        var similarities = Set.Paraphrases.Select((p, i) => (p.Duplicate, Similarity: Dot(a[i], b[i]))).ToList();
        output.WriteLine("duplicates: " + string.Join(" ", similarities.Where(s => s.Duplicate).Select(s => s.Similarity.ToString("F2", CultureInfo.InvariantCulture))));
        output.WriteLine("others:     " + string.Join(" ", similarities.Where(s => !s.Duplicate).Select(s => s.Similarity.ToString("F2", CultureInfo.InvariantCulture))));

        Assert.All(similarities.Where(s => !s.Duplicate), s => Assert.True(s.Similarity < threshold, $"{s.Similarity:F3} ≥ {threshold}"));
        Assert.True(similarities.Count(s => s.Duplicate && s.Similarity >= threshold) * 2 >= similarities.Count(s => s.Duplicate));
    }

    private const string Local = "local (all-MiniLM-L6-v2)";
    private const string Lexical = "lexical";
    private const string Whole = "whole text";
    private const string Key = "key (title / goal / task)";
    private const string TaskQuery = "task";
    private const string PlanQuery = "plan";

    /// <summary>Every embedder × what is embedded × query, printed as the table bench/README.md quotes.</summary>
    private async Task<Dictionary<(string Provider, string Choice, string Query), RetrievalScores>> AllScoresAsync()
    {
        var scores = new Dictionary<(string, string, string), RetrievalScores>();
        var table = new StringBuilder("| embedder | what is embedded | query | recall@3 | MRR |\n|---|---|---|---|---|\n");
        foreach (var (provider, generator) in new (string, IEmbeddingGenerator<string, Embedding<float>>)[] { (Lexical, new LexicalEmbeddingGenerator()), (Local, model.Generator) })
        {
            foreach (var (choice, text) in new (string, Func<LabelledMemory, string>)[] { (Whole, m => m.Content.TextForEmbedding()), (Key, m => m.Key) })
            {
                foreach (var (query, queryText) in new (string, Func<LabelledTask, string>)[] { (TaskQuery, t => t.Text), (PlanQuery, t => t.Plan) })
                {
                    var score = await ScoreAsync(generator, text, queryText);
                    scores[(provider, choice, query)] = score;
                    table.Append(CultureInfo.InvariantCulture, $"| {provider} | {choice} | {query} | {score.RecallAt3:F3} | {score.MeanReciprocalRank:F3} |\n");
                }
            }
        }

        output.WriteLine(table.ToString());
        return scores;
    }

    private static async Task<RetrievalScores> ScoreAsync(
        IEmbeddingGenerator<string, Embedding<float>> generator, Func<LabelledMemory, string> memoryText, Func<LabelledTask, string> queryText)
    {
        var memories = await generator.GenerateAsync(Set.Memories.Select(memoryText));
        var queries = await generator.GenerateAsync(Set.Tasks.Select(queryText), EmbeddingPurpose.Query());
        return RetrievalScores.Of(Set.Tasks, [.. Set.Memories.Select(m => m.Id)], [.. memories.Select(e => e.Vector.ToArray())], [.. queries.Select(e => e.Vector.ToArray())]);
    }

    private static float Dot(Embedding<float> a, Embedding<float> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a.Vector.Span, b.Vector.Span);
}
