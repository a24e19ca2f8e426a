using System.ClientModel;
using Microsoft.Extensions.AI;
using MtlPortal.Llm;
using OpenAI.Embeddings;
using AiEmbeddingOptions = Microsoft.Extensions.AI.EmbeddingGenerationOptions;
using SdkEmbeddingOptions = OpenAI.Embeddings.EmbeddingGenerationOptions;

namespace MtlPortal.Embeddings;

/// <summary>
/// Embeds through any server that speaks OpenAI's <c>/v1/embeddings</c> (OpenAI, Azure OpenAI v1, Ollama, vLLM,
/// LM Studio), in batches of <see cref="EmbeddingOptions.BatchSize"/>. Every returned vector is checked against
/// <see cref="EmbeddingOptions.Dimensions"/> and scaled to length 1, so cosine similarity is the dot product.
/// </summary>
/// <remarks>
/// Empty and whitespace-only texts are not sent (OpenAI rejects them); they get the zero vector, as with
/// <see cref="LexicalEmbeddingGenerator"/>. A failed or timed-out request throws <see cref="ModelServiceException"/>.
/// </remarks>
public sealed class OpenAiCompatibleEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const string ProviderName = "openai";
    private const string EmbeddingsRequest = "an embeddings request";

    private readonly EmbeddingClient _client;
    private readonly Uri _endpoint;
    private readonly string? _apiKey;
    private readonly int _batchSize;
    private readonly TimeSpan _timeout;
    private readonly SdkEmbeddingOptions _requestOptions;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <exception cref="ArgumentException">The options are not for a usable OpenAI-compatible server.</exception>
    public OpenAiCompatibleEmbeddingGenerator(EmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = EmbeddingOptionsValidator.OpenAiProblems(options);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _endpoint = new Uri(options.Endpoint!);
        _apiKey = options.ApiKey;
        _batchSize = options.BatchSize;
        _timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        var dimensions = options.Dimensions!.Value;
        var model = options.Model!.Trim();
        ModelInfo = EmbeddingModelInfo.ForOpenAiCompatible(model, dimensions);
        _requestOptions = new SdkEmbeddingOptions { Dimensions = options.SendDimensions ? dimensions : null };
        _client = OpenAiCompatibleConnection
            .CreateClient(_endpoint, options.ApiKey, _timeout, options.MaxRetries)
            .GetEmbeddingClient(model);
        _metadata = new EmbeddingGeneratorMetadata(ProviderName, _endpoint, model, dimensions);
    }

    /// <summary>The id and vector length stored beside each vector.</summary>
    public EmbeddingModelInfo ModelInfo { get; }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, AiEmbeddingOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        EmbeddingRequests.EnsureCompatible(options, ModelInfo);

        var texts = values.ToList();
        var vectors = new float[texts.Count][];
        var toSend = new List<int>(texts.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(texts[i], nameof(values));
            if (string.IsNullOrWhiteSpace(texts[i]))
            {
                vectors[i] = new float[ModelInfo.Dimensions];
            }
            else
            {
                toSend.Add(i);
            }
        }

        long inputTokens = 0;
        foreach (var batch in toSend.Chunk(_batchSize))
        {
            var response = await SendAsync(batch.Select(i => texts[i]), cancellationToken);
            if (response.Count != batch.Length)
            {
                throw Malformed($"returned {response.Count} vectors for {batch.Length} texts");
            }

            foreach (var item in response)
            {
                if (item.Index < 0 || item.Index >= batch.Length || vectors[batch[item.Index]] is not null)
                {
                    throw Malformed($"returned a vector with index {item.Index} for a batch of {batch.Length}");
                }

                vectors[batch[item.Index]] = ToUnitVector(item);
            }

            inputTokens += response.Usage?.InputTokenCount ?? 0;
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = ModelInfo.ModelId }));
        if (toSend.Count > 0)
        {
            result.Usage = new UsageDetails { InputTokenCount = inputTokens, TotalTokenCount = inputTokens };
        }

        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        EmbeddingRequests.GetService(this, _metadata, ModelInfo, serviceType, serviceKey)
        ?? (serviceKey is null && serviceType == typeof(EmbeddingClient) ? _client : null);

    public void Dispose()
    {
        // The SDK client holds no resources of its own; its HTTP connections are pooled process-wide.
    }

    private async Task<OpenAIEmbeddingCollection> SendAsync(IEnumerable<string> batch, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _client.GenerateEmbeddingsAsync(batch, _requestOptions, cancellationToken);
            return result.Value;
        }
        catch (ClientResultException e)
        {
            throw OpenAiCompatibleConnection.Translate(e, _endpoint, EmbeddingsRequest, _apiKey);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw OpenAiCompatibleConnection.TimedOut(e, _endpoint, EmbeddingsRequest, _timeout, $"{EmbeddingOptions.Section}:TimeoutSeconds");
        }
    }

    private float[] ToUnitVector(OpenAIEmbedding item)
    {
        var source = item.ToFloats().Span;
        if (source.Length != ModelInfo.Dimensions)
        {
            throw new ModelServiceException(
                $"The model server at {OpenAiCompatibleConnection.Describe(_endpoint)} returned {source.Length}-dimensional vectors, "
                + $"but Embeddings:Dimensions is {ModelInfo.Dimensions}. Set Embeddings:Dimensions to {source.Length}, "
                + "or keep Embeddings:SendDimensions on if the model can shorten its vectors.",
                _endpoint, statusCode: 200);
        }

        var vector = source.ToArray();
        EmbeddingRequests.Normalize(vector);
        return vector;
    }

    private ModelServiceException Malformed(string problem) =>
        new($"The model server at {OpenAiCompatibleConnection.Describe(_endpoint)} {problem}.", _endpoint, statusCode: 200);
}
