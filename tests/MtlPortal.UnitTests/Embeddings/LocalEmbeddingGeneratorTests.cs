using Microsoft.Extensions.AI;
using MtlPortal.Embeddings;

namespace MtlPortal.UnitTests.Embeddings;

/// <summary>The real model, loaded once for the class: it is what a portal with no configuration searches with.</summary>
public sealed class LocalEmbeddingGeneratorTests(LocalModelFixture model) : IClassFixture<LocalModelFixture>
{
    private LocalEmbeddingGenerator Generator => model.Generator;

    [Fact]
    public async Task ATaskIsCloserToTheInsightWhoseProcedureFitsThanToOthersThoughTheyShareNoWords()
    {
        var task = await Generator.GenerateVectorAsync("make a failing test pass in a repository I have never seen", EmbeddingPurpose.Query());
        var fits = await Generator.GenerateVectorAsync("Start by reproducing the bug. When fixing a defect in someone else's project, write a minimal check that triggers it before changing any code.");
        var other = await Generator.GenerateVectorAsync("Rehearse anything irreversible. Print the exact set of targets an operation would touch before letting it remove or overwrite them.");

        Assert.True(Dot(task, fits) > Dot(task, other) + 0.1, $"fits {Dot(task, fits):F3}, other {Dot(task, other):F3}");
    }

    [Fact]
    public async Task VectorsHaveLengthOneAndCarryTheModelId()
    {
        var embeddings = await Generator.GenerateAsync(["Quote every shell variable."]);

        Assert.Equal(384, embeddings[0].Vector.Length);
        Assert.Equal(1.0, Math.Sqrt(Dot(embeddings[0].Vector, embeddings[0].Vector)), 3);
        Assert.Equal("local:all-MiniLM-L6-v2:384", embeddings[0].ModelId);
    }

    [Fact]
    public async Task EmptyTextGetsTheZeroVectorAndMatchesNothing()
    {
        var embeddings = await Generator.GenerateAsync(["", "   ", "Pin the random seeds."]);

        Assert.All(embeddings[0].Vector.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(embeddings[1].Vector.ToArray(), v => Assert.Equal(0f, v));
        Assert.NotEqual(0f, embeddings[2].Vector.Span[0]);
    }

    [Fact]
    public async Task ConcurrentRequestsGetTheSameVectorsAsOneAtATime()
    {
        string[] texts = [.. Enumerable.Range(0, 24).Select(i => $"Task number {i}: sort the records and print the median of column {i % 5}.")];
        var alone = new List<float[]>();
        foreach (var text in texts)
        {
            alone.Add((await Generator.GenerateVectorAsync(text)).ToArray());
        }

        var together = await Task.WhenAll(texts.Select(t => Task.Run(() => Generator.GenerateVectorAsync(t))));

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(Dot(alone[i], together[i]) > 0.9999, $"text {i}: {Dot(alone[i], together[i])}");
        }
    }

    // The worker sorts what it gathered by length and embeds it in several model calls: each text must still get
    // its own vector back, in the order it was asked.
    [Fact]
    public async Task ABatchOfMixedLengthsGetsEachTextsOwnVectorInOrder()
    {
        string[] texts = [.. Enumerable.Range(0, 40).Select(i => i % 3 == 0
            ? $"Item {i}: " + string.Join(" ", Enumerable.Repeat("read the failing output carefully before changing anything", 1 + (i % 7)))
            : $"Item {i}: pin seeds")];

        var together = await Generator.GenerateAsync(texts);

        for (var i = 0; i < texts.Length; i += 5)
        {
            var alone = await Generator.GenerateVectorAsync(texts[i]);
            Assert.True(Dot(alone, together[i].Vector) > 0.9999, $"text {i}: {Dot(alone, together[i].Vector)}");
        }
    }

    [Fact]
    public async Task RepeatedQueriesInOneCallEachGetTheirOwnVector()
    {
        await Generator.GenerateAsync(["bisect the regression"], EmbeddingPurpose.Query());

        var again = await Generator.GenerateAsync(["quote the file names", "bisect the regression", "quote the file names"], EmbeddingPurpose.Query());
        var fresh = await Generator.GenerateVectorAsync("bisect the regression");

        Assert.True(Dot(again[1].Vector, fresh) > 0.9999);
        Assert.True(Dot(again[0].Vector, again[2].Vector) > 0.9999);
        Assert.True(Dot(again[0].Vector, again[1].Vector) < 0.9);
    }

    [Fact]
    public async Task AskingForAnotherLengthIsRefused()
    {
        await Assert.ThrowsAsync<NotSupportedException>(() => Generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 768 }));
    }

    private static double Dot(ReadOnlyMemory<float> a, ReadOnlyMemory<float> b) =>
        System.Numerics.Tensors.TensorPrimitives.Dot(a.Span, b.Span);
}

public sealed class LocalModelFixture : IDisposable
{
    public LocalEmbeddingGenerator Generator { get; } = new();

    public void Dispose() => Generator.Dispose();
}
