using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using MtlPortal.Embeddings;

namespace MtlPortal.UnitTests.Embeddings;

public class LexicalEmbeddingGeneratorTests
{
    // Memories as contributors write them: two about running tests, one about CSS layout, one about migrations.
    private const string FilterTests =
        "Run only the affected tests with `dotnet test --filter FullyQualifiedName~Orders` instead of the whole solution; "
        + "the full suite takes eight minutes and hides which test failed.";

    private const string ScopeTestRun =
        "Before committing, run the tests of the project you changed (dotnet test path/to/Project.Tests) rather than "
        + "every test in the repository; filtering by test name keeps the feedback loop under a minute.";

    private const string FlexOverflow =
        "When a flex item's long text overflows its container, set min-width: 0 on the item so the text wraps "
        + "instead of stretching the layout; grid columns need minmax(0, 1fr) for the same reason.";

    private const string MigrationOrder =
        "Database migrations are plain SQL scripts applied in file-name order; add a new numbered script instead of "
        + "editing one that has already been applied, or existing databases drift from the schema.";

    private static readonly LexicalEmbeddingGenerator Generator = new();

    // The non-zero components of "dotnet test" under version 1: two words (0.5 each), one word pair (0.447) and
    // 24 fragments (0.112 each), i.e. the 0.5 / 0.2 / 0.3 shares of the three feature families.
    private static readonly (int Index, float Value)[] Version1NonZero =
    [
        (0, -0.111803f), (52, 0.111803f), (53, -0.111803f), (64, 0.111803f), (72, 0.111803f), (74, 0.500000f),
        (81, 0.111803f), (120, 0.111803f), (129, 0.111803f), (148, 0.111803f), (155, -0.111803f), (182, -0.111803f),
        (188, -0.111803f), (214, -0.500000f), (220, 0.111803f), (239, 0.111803f), (242, 0.447214f), (248, 0.111803f),
        (260, 0.111803f), (265, -0.111803f), (271, 0.111803f), (283, -0.111803f), (299, 0.111803f), (301, -0.111803f),
        (327, -0.111803f), (342, -0.111803f), (354, -0.111803f),
    ];

    [Fact]
    public async Task GenerateAsync_SameTextInTwoInstances_ReturnsIdenticalVectors()
    {
        var first = await new LexicalEmbeddingGenerator().GenerateVectorAsync(FilterTests);
        var second = await new LexicalEmbeddingGenerator().GenerateVectorAsync(FilterTests);

        Assert.Equal(first.ToArray(), second.ToArray());
    }

    /// <summary>
    /// Pins the vector of one text. A process-randomised hash (string.GetHashCode) would fail this on every run;
    /// a deliberate change to the algorithm fails it too, and must bump the version in the model id so that
    /// stored vectors are re-embedded.
    /// </summary>
    [Fact]
    public async Task GenerateAsync_FixedText_MatchesVectorOfVersion1()
    {
        var vector = (await Generator.GenerateVectorAsync("dotnet test")).ToArray();

        var nonZero = vector.Select((value, index) => (index, value)).Where(x => x.value != 0).ToArray();
        Assert.Equal(Version1NonZero.Length, nonZero.Length);
        foreach (var ((index, value), (expectedIndex, expectedValue)) in nonZero.Zip(Version1NonZero))
        {
            Assert.Equal(expectedIndex, index);
            Assert.Equal(expectedValue, value, 0.00001f);
        }

        Assert.Equal("lexical-hashed-ngrams-384-v1", Generator.ModelInfo.ModelId);
    }

    [Theory]
    [InlineData(FilterTests)]
    [InlineData(FlexOverflow)]
    [InlineData("x")]
    [InlineData("Ünïcödé wörds — and 123 numbers")]
    public async Task GenerateAsync_AnyText_Returns384DimensionalUnitVector(string text)
    {
        var vector = await Generator.GenerateVectorAsync(text);

        Assert.Equal(384, vector.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(vector.Span), 0.0001f);
    }

    [Fact]
    public async Task GenerateAsync_ConfiguredDimensions_ReturnsThatLengthAndNamesItInModelId()
    {
        var generator = new LexicalEmbeddingGenerator(dimensions: 256);

        var embedding = (await generator.GenerateAsync([FilterTests]))[0];

        Assert.Equal(256, embedding.Vector.Length);
        Assert.Equal("lexical-hashed-ngrams-256-v1", embedding.ModelId);
        Assert.Equal(new EmbeddingModelInfo("lexical-hashed-ngrams-256-v1", 256), generator.ModelInfo);
    }

    [Fact]
    public async Task GenerateAsync_RelatedMemories_ScoreHigherThanUnrelatedOnes()
    {
        var filter = await Generator.GenerateVectorAsync(FilterTests);
        var scope = await Generator.GenerateVectorAsync(ScopeTestRun);
        var flex = await Generator.GenerateVectorAsync(FlexOverflow);
        var migrations = await Generator.GenerateVectorAsync(MigrationOrder);

        var related = Similarity(filter, scope);
        Assert.True(related > Similarity(filter, flex), $"tests~tests {related:F3} vs tests~css {Similarity(filter, flex):F3}");
        Assert.True(related > Similarity(scope, flex), $"tests~tests {related:F3} vs tests~css {Similarity(scope, flex):F3}");
        Assert.True(related > Similarity(filter, migrations), $"tests~tests {related:F3} vs tests~migrations {Similarity(filter, migrations):F3}");
        Assert.True(related > 2 * Similarity(filter, flex), $"tests~tests {related:F3} is not clearly above tests~css {Similarity(filter, flex):F3}");
    }

    [Theory]
    [InlineData("The CI build takes too long because every test runs; how do I run just the tests for my change?", FilterTests, ScopeTestRun)]
    [InlineData("Long words in a sidebar push the flex layout wider than the screen", FlexOverflow, null)]
    [InlineData("I need to change a column type in the database schema", MigrationOrder, null)]
    public async Task GenerateAsync_TaskDescription_RanksMatchingMemoryFirst(string task, string expected, string? alsoAcceptable)
    {
        string[] pool = [FilterTests, ScopeTestRun, FlexOverflow, MigrationOrder];
        var query = await Generator.GenerateVectorAsync(task);
        var vectors = await Generator.GenerateAsync(pool);

        var best = pool.Zip(vectors).MaxBy(x => Similarity(query, x.Second.Vector)).First;

        Assert.True(best == expected || best == alsoAcceptable, $"ranked first: {best}");
    }

    [Fact]
    public async Task GenerateAsync_DifferentCaseAndPunctuation_ReturnsSameVector()
    {
        var plain = await Generator.GenerateVectorAsync("run dotnet test with a filter");
        var noisy = await Generator.GenerateVectorAsync("Run `DOTNET test`, with a filter!!");

        Assert.Equal(plain.ToArray(), noisy.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    [InlineData("?! -- ... ;")]
    public async Task GenerateAsync_TextWithoutLettersOrDigits_ReturnsZeroVectorThatMatchesNothing(string text)
    {
        var empty = await Generator.GenerateVectorAsync(text);
        var memory = await Generator.GenerateVectorAsync(FilterTests);

        Assert.Equal(384, empty.Length);
        Assert.All(empty.ToArray(), value => Assert.Equal(0f, value));
        Assert.Equal(0f, TensorPrimitives.Dot(empty.Span, memory.Span));
    }

    [Fact]
    public async Task GenerateAsync_OnlyStopWords_StillReturnsUnitVector()
    {
        var vector = await Generator.GenerateVectorAsync("to be or not to be");

        Assert.Equal(1f, TensorPrimitives.Norm(vector.Span), 0.0001f);
    }

    [Fact]
    public async Task GenerateAsync_SeveralTexts_ReturnsOneEmbeddingPerTextInOrderStampedWithModelId()
    {
        var embeddings = await Generator.GenerateAsync([FilterTests, "", FlexOverflow]);

        Assert.Equal(3, embeddings.Count);
        Assert.Equal((await Generator.GenerateVectorAsync(FilterTests)).ToArray(), embeddings[0].Vector.ToArray());
        Assert.Equal((await Generator.GenerateVectorAsync(FlexOverflow)).ToArray(), embeddings[2].Vector.ToArray());
        Assert.All(embeddings, e => Assert.Equal("lexical-hashed-ngrams-384-v1", e.ModelId));
    }

    [Fact]
    public async Task GenerateAsync_OtherDimensionsRequested_ThrowsInsteadOfReturningIncomparableVectors()
    {
        var error = await Assert.ThrowsAsync<NotSupportedException>(
            () => Generator.GenerateAsync([FilterTests], new EmbeddingGenerationOptions { Dimensions = 1536 }));

        Assert.Contains("384", error.Message);
    }

    [Fact]
    public void GetService_Metadata_NamesLexicalProviderAndModel()
    {
        var metadata = Generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("mtl-lexical", metadata.ProviderName);
        Assert.Equal("lexical-hashed-ngrams-384-v1", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
    }

    [Fact]
    public async Task GenerateAsync_ManyThreadsAtOnce_ReturnSameVectorsAsOneThread()
    {
        var texts = Enumerable.Range(0, 400).Select(i => $"{FilterTests} variant {i} {FlexOverflow[..(i % 80)]}").ToArray();
        var sequential = (await Generator.GenerateAsync(texts)).Select(e => e.Vector.ToArray()).ToArray();

        var parallel = new float[texts.Length][];
        await Parallel.ForAsync(0, texts.Length, async (i, ct) =>
            parallel[i] = (await Generator.GenerateVectorAsync(texts[i], cancellationToken: ct)).ToArray());

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(sequential[i], parallel[i]);
        }
    }

    private static float Similarity(ReadOnlyMemory<float> a, ReadOnlyMemory<float> b) => TensorPrimitives.Dot(a.Span, b.Span);
}
