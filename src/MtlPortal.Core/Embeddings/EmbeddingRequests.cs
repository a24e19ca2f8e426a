using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace MtlPortal.Embeddings;

/// <summary>What every portal embedding generator does alike with per-call options and service lookups.</summary>
internal static class EmbeddingRequests
{
    /// <summary>
    /// One generator is one model: a caller that asks for another length or model would get vectors that the
    /// pool cannot compare with the ones it stores, so the request is refused rather than quietly honoured.
    /// </summary>
    public static void EnsureCompatible(EmbeddingGenerationOptions? options, EmbeddingModelInfo model)
    {
        if (options?.Dimensions is { } dimensions && dimensions != model.Dimensions)
        {
            throw new NotSupportedException(
                $"This generator returns {model.Dimensions}-dimensional vectors ({model.ModelId}); {dimensions} were requested. Change Embeddings:Dimensions instead.");
        }

        if (!string.IsNullOrEmpty(options?.ModelId) && options.ModelId != model.ModelId)
        {
            throw new NotSupportedException(
                $"This generator embeds with {model.ModelId}; model '{options.ModelId}' was requested. Change the Embeddings section instead.");
        }
    }

    public static object? GetService(
        object generator, EmbeddingGeneratorMetadata metadata, EmbeddingModelInfo model, Type serviceType, object? serviceKey)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return metadata;
        }

        if (serviceType == typeof(EmbeddingModelInfo))
        {
            return model;
        }

        return serviceType.IsInstanceOfType(generator) ? generator : null;
    }

    /// <summary>Scales <paramref name="vector"/> to length 1 in place; the zero vector stays zero.</summary>
    public static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }
}
