using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MtlPortal.Embeddings;

public static class EmbeddingsServiceCollectionExtensions
{
    /// <summary>
    /// The one <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of the portal, chosen by
    /// <c>Embeddings:Provider</c> (<c>local</c> by default, <c>lexical</c> or <c>openai</c>), and the
    /// <see cref="EmbeddingModelInfo"/> of the vectors it makes. The configuration is validated when the host
    /// starts (and whenever either service is first resolved); a bad one fails with an
    /// <see cref="OptionsValidationException"/> that names the key to fix.
    /// </summary>
    public static IServiceCollection AddPortalEmbeddings(this IServiceCollection services)
    {
        services.AddOptions<EmbeddingOptions>().BindConfiguration(EmbeddingOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddingOptions>, EmbeddingOptionsValidator>());
        services.TryAddSingleton(sp => CreateGenerator(sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value));
        services.AddHostedService<EmbeddingWarmUp>();

        // Asked of the generator rather than computed again from the options, so the id stored beside a vector
        // is always the one the generator stamped on it.
        services.TryAddSingleton(sp => sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().GetService<EmbeddingModelInfo>()
            ?? throw new InvalidOperationException("The registered embedding generator does not report its EmbeddingModelInfo."));
        return services;
    }

    private static IEmbeddingGenerator<string, Embedding<float>> CreateGenerator(EmbeddingOptions options)
    {
        if (EmbeddingOptionsValidator.IsProvider(options, EmbeddingOptions.OpenAiProvider))
        {
            return OpenAiEmbeddingGenerator.Create(options);
        }

        return EmbeddingOptionsValidator.IsProvider(options, EmbeddingOptions.LexicalProvider)
            ? new LexicalEmbeddingGenerator(options.Dimensions ?? LexicalEmbeddingGenerator.DefaultDimensions)
            : new LocalEmbeddingGenerator(options.Threads, options.BatchSize, options.QueryCacheSize);
    }
}
