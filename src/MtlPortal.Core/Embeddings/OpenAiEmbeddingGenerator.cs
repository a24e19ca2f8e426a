using System.ClientModel;
using Microsoft.Extensions.AI;
using MtlPortal.Llm;

namespace MtlPortal.Embeddings;

/// <summary>
/// Embeds through any server that speaks OpenAI's <c>/v1/embeddings</c> (OpenAI, Azure OpenAI v1, Ollama, vLLM,
/// LM Studio) with Microsoft.Extensions.AI's OpenAI generator, adding the portal's rules: texts go in batches of
/// <see cref="EmbeddingOptions.BatchSize"/>, every returned vector is checked against
/// <see cref="EmbeddingOptions.Dimensions"/> and scaled to length 1 (so cosine similarity is the dot product), and
/// every vector carries the <see cref="EmbeddingModelInfo"/> id the pool stores beside it.
/// </summary>
/// <remarks>
/// Empty and whitespace-only texts are not sent (OpenAI rejects them); they get the zero vector, as with
/// <see cref="LexicalEmbeddingGenerator"/>. A failed or timed-out request throws <see cref="ModelServiceException"/>.
/// </remarks>
public sealed class OpenAiEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private const string EmbeddingsRequest = "an embeddings request";

    private readonly ModelServerSettings _server;
    private readonly int _batchSize;
    private readonly EmbeddingGenerationOptions _requestOptions;

    private OpenAiEmbeddingGenerator(ModelServerSettings server, string model, int dimensions, bool sendDimensions, int batchSize)
        : base(ModelServer.CreateClient(server).GetEmbeddingClient(model).AsIEmbeddingGenerator(sendDimensions ? dimensions : null))
    {
        _server = server;
        _batchSize = batchSize;
        _requestOptions = new EmbeddingGenerationOptions { Dimensions = sendDimensions ? dimensions : null };
        ModelInfo = EmbeddingModelInfo.ForOpenAiCompatible(model, dimensions);
    }

    /// <summary>The id and vector length stored beside each vector.</summary>
    public EmbeddingModelInfo ModelInfo { get; }

    /// <exception cref="ArgumentException">The options are not for a usable OpenAI-compatible server.</exception>
    public static OpenAiEmbeddingGenerator Create(EmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = EmbeddingOptionsValidator.OpenAiProblems(options);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        var server = new ModelServerSettings(
            new Uri(options.Endpoint!), options.ApiKey, TimeSpan.FromSeconds(options.TimeoutSeconds), options.MaxRetries,
            $"{EmbeddingOptions.Section}:TimeoutSeconds");
        return new OpenAiEmbeddingGenerator(server, options.Model!.Trim(), options.Dimensions!.Value, options.SendDimensions, options.BatchSize);
    }

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
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
            var response = await SendAsync([.. batch.Select(i => texts[i])], cancellationToken);
            if (response.Count != batch.Length)
            {
                throw Malformed($"returned {response.Count} vectors for {batch.Length} texts");
            }

            for (var j = 0; j < batch.Length; j++)
            {
                vectors[batch[j]] = ToUnitVector(response[j]);
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

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(EmbeddingModelInfo) ? ModelInfo : base.GetService(serviceType, serviceKey);
    }

    private async Task<GeneratedEmbeddings<Embedding<float>>> SendAsync(string[] batch, CancellationToken cancellationToken)
    {
        try
        {
            return await base.GenerateAsync(batch, _requestOptions, cancellationToken);
        }
        catch (ClientResultException e)
        {
            throw ModelServer.Translate(e, _server, EmbeddingsRequest);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw ModelServer.TimedOut(e, _server, EmbeddingsRequest);
        }
    }

    private float[] ToUnitVector(Embedding<float> item)
    {
        var source = item.Vector.Span;
        if (source.Length != ModelInfo.Dimensions)
        {
            throw new ModelServiceException(
                $"The model server at {ModelServer.Describe(_server.Endpoint)} returned {source.Length}-dimensional vectors, "
                + $"but {EmbeddingOptions.Section}:Dimensions is {ModelInfo.Dimensions}. Set {EmbeddingOptions.Section}:Dimensions to {source.Length}, "
                + $"or keep {EmbeddingOptions.Section}:SendDimensions on if the model can shorten its vectors.",
                _server.Endpoint, statusCode: 200);
        }

        var vector = source.ToArray();
        EmbeddingRequests.Normalize(vector);
        return vector;
    }

    private ModelServiceException Malformed(string problem) =>
        new($"The model server at {ModelServer.Describe(_server.Endpoint)} {problem}.", _server.Endpoint, statusCode: 200);
}
