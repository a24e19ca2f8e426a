using System.Text.Json;
using MtlPortal.Memories;

namespace MtlPortal.Testing.Retrieval;

/// <summary>
/// The retrieval-quality set written for the tests (labelled-set.json beside this file): memories, tasks with the
/// memories a person judges relevant and a plan such as the paper's plan mode writes first, and paraphrase pairs.
/// </summary>
public sealed record LabelledSet(IReadOnlyList<LabelledMemory> Memories, IReadOnlyList<LabelledTask> Tasks, IReadOnlyList<ParaphrasePair> Paraphrases)
{
    public static LabelledSet Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Retrieval", "labelled-set.json");
        var root = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        var memories = root.GetProperty("memories").EnumerateArray().Select(m => new LabelledMemory(Text(m, "id"), Content(m))).ToList();
        var tasks = root.GetProperty("tasks").EnumerateArray().Select(t => new LabelledTask(
            Text(t, "id"), Text(t, "domain"), Text(t, "text"), Text(t, "plan"),
            [.. t.GetProperty("relevant").EnumerateArray().Select(r => r.GetString()!)])).ToList();
        var pairs = root.GetProperty("paraphrases").EnumerateArray().Select(p => new ParaphrasePair(Text(p, "a"), Text(p, "b"), p.GetProperty("duplicate").GetBoolean())).ToList();
        return new LabelledSet(memories, tasks, pairs);
    }

    private static MemoryContent Content(JsonElement m) => Text(m, "kind") switch
    {
        "insight" => new InsightContent(Text(m, "title"), Text(m, "description"), Text(m, "content")),
        "workflow" => new WorkflowContent(Text(m, "goal"), [.. m.GetProperty("steps").EnumerateArray().Select(s => s.GetString()!)]),
        "summary" => new SummaryContent(Text(m, "taskSummary"), Text(m, "outcomeAnalysis")),
        var kind => throw new InvalidDataException($"Unknown kind '{kind}' in the labelled set."),
    };

    private static string Text(JsonElement element, string property) => element.GetProperty(property).GetString()!;
}

public sealed record LabelledMemory(string Id, MemoryContent Content)
{
    /// <summary>The key the paper embeds: an insight's title, a workflow's goal, a summary's task.</summary>
    public string Key => Content switch
    {
        InsightContent insight => insight.Title,
        WorkflowContent workflow => workflow.Goal,
        SummaryContent summary => summary.TaskSummary,
        _ => Content.TextForEmbedding(),
    };
}

public sealed record LabelledTask(string Id, string Domain, string Text, string Plan, IReadOnlyList<string> Relevant);

public sealed record ParaphrasePair(string A, string B, bool Duplicate);

/// <summary>Recall@k (the share of a task's relevant memories in its top k, at most k of them) and MRR, averaged over tasks.</summary>
public sealed record RetrievalScores(double RecallAt3, double MeanReciprocalRank)
{
    public static RetrievalScores Of(IReadOnlyList<LabelledTask> tasks, IReadOnlyList<string> memoryIds, IReadOnlyList<float[]> memoryVectors, IReadOnlyList<float[]> queryVectors)
    {
        double recall = 0, reciprocal = 0;
        for (var t = 0; t < tasks.Count; t++)
        {
            var query = queryVectors[t];
            var ranked = Enumerable.Range(0, memoryIds.Count)
                .OrderByDescending(m => System.Numerics.Tensors.TensorPrimitives.Dot(query, memoryVectors[m]))
                .ThenBy(m => memoryIds[m], StringComparer.Ordinal)
                .Select(m => memoryIds[m])
                .ToList();
            var relevant = tasks[t].Relevant.ToHashSet();
            recall += ranked.Take(3).Count(relevant.Contains) / (double)Math.Min(3, relevant.Count);
            var first = ranked.FindIndex(relevant.Contains);
            reciprocal += first < 0 ? 0 : 1.0 / (first + 1);
        }

        return new RetrievalScores(recall / tasks.Count, reciprocal / tasks.Count);
    }
}
