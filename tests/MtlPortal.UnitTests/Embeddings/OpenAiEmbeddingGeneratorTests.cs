using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using MtlPortal.Embeddings;
using MtlPortal.Llm;
using MtlPortal.Testing;

namespace MtlPortal.UnitTests.Embeddings;

public sealed class OpenAiEmbeddingGeneratorTests : IAsyncLifetime
{
    private const string ApiKey = "sk-test-secret-123";

    private FakeOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GenerateAsync_Texts_ReturnsServerVectorsScaledToUnitLengthInInputOrder()
    {
        using var generator = Generator();

        var embeddings = await generator.GenerateAsync(["run the tests", "fix the layout"]);

        Assert.Equal(2, embeddings.Count);
        Assert.Equal(Unit(FakeOpenAiServer.DefaultEmbedding("run the tests", 16)), embeddings[0].Vector.ToArray(), Close);
        Assert.Equal(Unit(FakeOpenAiServer.DefaultEmbedding("fix the layout", 16)), embeddings[1].Vector.ToArray(), Close);
        Assert.All(embeddings, e => Assert.Equal("openai:text-embedding-3-small:16", e.ModelId));
    }

    [Fact]
    public async Task GenerateAsync_Texts_SendsModelDimensionsBase64AndKeyAsBearer()
    {
        using var generator = Generator();

        await generator.GenerateAsync(["run the tests"]);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("/v1/embeddings", request.Path);
        Assert.Equal("text-embedding-3-small", request.Body.GetProperty("model").GetString());
        Assert.Equal(16, request.Body.GetProperty("dimensions").GetInt32());
        Assert.Equal("base64", request.Body.GetProperty("encoding_format").GetString());
        Assert.Equal($"Bearer {ApiKey}", request.Authorization);
    }

    [Fact]
    public async Task GenerateAsync_SendDimensionsOff_OmitsDimensionsAndAcceptsNativeLength()
    {
        _server.NativeDimensions = 12;
        using var generator = Generator(o => { o.Dimensions = 12; o.SendDimensions = false; });

        var embeddings = await generator.GenerateAsync(["run the tests"]);

        Assert.False(Assert.Single(_server.Requests).Body.TryGetProperty("dimensions", out _));
        Assert.Equal(12, embeddings[0].Vector.Length);
    }

    [Fact]
    public async Task GenerateAsync_MoreTextsThanBatchSize_SendsBatchesAndKeepsOrder()
    {
        using var generator = Generator(o => o.BatchSize = 2);
        string[] texts = ["one", "two", "three", "four", "five"];

        var embeddings = await generator.GenerateAsync(texts);

        Assert.Equal([2, 2, 1], _server.Requests.Select(r => r.Body.GetProperty("input").GetArrayLength()));
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(Unit(FakeOpenAiServer.DefaultEmbedding(texts[i], 16)), embeddings[i].Vector.ToArray(), Close);
        }
    }

    [Fact]
    public async Task GenerateAsync_Texts_ReportsInputTokenUsageOfAllBatches()
    {
        using var generator = Generator(o => o.BatchSize = 1);

        var embeddings = await generator.GenerateAsync(["run the tests", "fix layout"]);

        Assert.Equal(5, embeddings.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task GenerateAsync_EmptyText_ReturnsZeroVectorWithoutSendingIt()
    {
        using var generator = Generator();

        var embeddings = await generator.GenerateAsync(["", "run the tests", "  "]);

        Assert.Equal(["run the tests"], Assert.Single(_server.Requests).Body.GetProperty("input").EnumerateArray().Select(x => x.GetString()));
        Assert.All(embeddings[0].Vector.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(embeddings[2].Vector.ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(16, embeddings[2].Vector.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(embeddings[1].Vector.Span), 0.0001f);
    }

    [Fact]
    public async Task GenerateAsync_ServerReturnsOtherLength_ThrowsNamingTheSettingToFix()
    {
        _server.NativeDimensions = 8;
        using var generator = Generator(o => { o.Dimensions = 16; o.SendDimensions = false; });

        var error = await Assert.ThrowsAsync<ModelServiceException>(() => generator.GenerateAsync(["run the tests"]));

        Assert.Contains("returned 8-dimensional vectors, but Embeddings:Dimensions is 16", error.Message);
    }

    [Fact]
    public async Task GenerateAsync_Server500_ThrowsWithStatusEndpointAndServerMessageButNotTheKey()
    {
        _server.FailRequests(500);
        using var generator = Generator(o => o.MaxRetries = 0);

        var error = await Assert.ThrowsAsync<ModelServiceException>(() => generator.GenerateAsync(["run the tests"]));

        Assert.Equal(500, error.StatusCode);
        Assert.Contains($"The model server at {_server.Endpoint} answered HTTP 500", error.Message);
        Assert.Contains("Fake failure", error.Message);
        Assert.DoesNotContain(ApiKey, error.ToString());
    }

    [Fact]
    public async Task GenerateAsync_OneTransientServerError_IsRetriedAndSucceeds()
    {
        _server.FailRequests(503, count: 1);
        using var generator = Generator(o => o.MaxRetries = 1);

        var embeddings = await generator.GenerateAsync(["run the tests"]);

        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal(16, embeddings[0].Vector.Length);
    }

    [Fact]
    public async Task GenerateAsync_ServerNotRunning_ThrowsSayingItCouldNotBeReached()
    {
        var stopped = await FakeOpenAiServer.StartAsync();
        var endpoint = stopped.Endpoint;
        await stopped.DisposeAsync();
        using var generator = Generator(o => { o.Endpoint = endpoint.ToString(); o.MaxRetries = 0; });

        var error = await Assert.ThrowsAsync<ModelServiceException>(() => generator.GenerateAsync(["run the tests"]));

        Assert.Null(error.StatusCode);
        Assert.Contains($"The model server at {endpoint} could not be reached", error.Message);
    }

    [Fact]
    public void Constructor_IncompleteOptions_ThrowsNamingEveryMissingKey()
    {
        var error = Assert.Throws<ArgumentException>(() => OpenAiEmbeddingGenerator.Create(new EmbeddingOptions()));

        Assert.Contains("Embeddings:Endpoint is empty", error.Message);
        Assert.Contains("Embeddings:Model is empty", error.Message);
        Assert.Contains("Embeddings:Dimensions is not set", error.Message);
    }

    [Fact]
    public void GetService_ModelInfoAndMetadata_DescribeConfiguredModel()
    {
        using var generator = Generator();

        Assert.Equal(new EmbeddingModelInfo("openai:text-embedding-3-small:16", 16), generator.GetService<EmbeddingModelInfo>());
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        Assert.Equal("text-embedding-3-small", metadata?.DefaultModelId);
        Assert.Equal(_server.Endpoint, metadata?.ProviderUri);
    }

    private static readonly IEqualityComparer<float> Close = EqualityComparer<float>.Create((a, b) => Math.Abs(a - b) < 1e-5f, v => 0);

    private OpenAiEmbeddingGenerator Generator(Action<EmbeddingOptions>? configure = null)
    {
        var options = new EmbeddingOptions
        {
            Provider = EmbeddingOptions.OpenAiProvider,
            Endpoint = _server.Endpoint.ToString(),
            Model = "text-embedding-3-small",
            Dimensions = 16,
            ApiKey = ApiKey,
        };
        configure?.Invoke(options);
        return OpenAiEmbeddingGenerator.Create(options);
    }

    private static float[] Unit(float[] vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        return [.. vector.Select(v => v / norm)];
    }
}
