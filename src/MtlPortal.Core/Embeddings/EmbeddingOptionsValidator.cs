using Microsoft.Extensions.Options;

namespace MtlPortal.Embeddings;

/// <summary>Rejects a configuration the portal cannot embed with, with one message per problem naming the key to fix.</summary>
internal sealed class EmbeddingOptionsValidator : IValidateOptions<EmbeddingOptions>
{
    internal const int MinLexicalDimensions = 32;
    internal const int MaxLexicalDimensions = 8192;

    // OpenAI accepts at most 2048 inputs per request; local servers usually far fewer.
    internal const int MaxBatchSize = 2048;

    public ValidateOptionsResult Validate(string? name, EmbeddingOptions options)
    {
        var errors = new List<string>();
        var section = EmbeddingOptions.Section;
        if (IsProvider(options, EmbeddingOptions.LocalProvider))
        {
            errors.AddRange(LocalProblems(options));
        }
        else if (IsProvider(options, EmbeddingOptions.LexicalProvider))
        {
            if (options.Dimensions is < MinLexicalDimensions or > MaxLexicalDimensions)
            {
                errors.Add($"{section}:Dimensions is {options.Dimensions}; the lexical provider needs {MinLexicalDimensions} to {MaxLexicalDimensions}.");
            }
        }
        else if (IsProvider(options, EmbeddingOptions.OpenAiProvider))
        {
            errors.AddRange(OpenAiProblems(options));
        }
        else
        {
            errors.Add($"{section}:Provider is '{options.Provider}'; expected '{EmbeddingOptions.LocalProvider}', '{EmbeddingOptions.LexicalProvider}' or '{EmbeddingOptions.OpenAiProvider}'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static IEnumerable<string> LocalProblems(EmbeddingOptions options)
    {
        var section = EmbeddingOptions.Section;
        if (options.Dimensions is { } dimensions && dimensions != LocalEmbeddingGenerator.Dimensions)
        {
            yield return $"{section}:Dimensions is {dimensions}; the local model ({LocalEmbeddingGenerator.ModelName}) makes {LocalEmbeddingGenerator.Dimensions}-dimensional vectors. Leave it empty.";
        }

        if (options.Threads is < 1 or > 256)
        {
            yield return $"{section}:Threads is {options.Threads}; it must be 1 to 256.";
        }

        if (options.BatchSize is < 1 or > MaxBatchSize)
        {
            yield return $"{section}:BatchSize is {options.BatchSize}; it must be 1 to {MaxBatchSize}.";
        }

        if (options.QueryCacheSize < 0)
        {
            yield return $"{section}:QueryCacheSize is {options.QueryCacheSize}; it must be 0 (off) or more.";
        }
    }

    /// <summary>What stops <paramref name="options"/> from reaching an OpenAI-compatible server.</summary>
    internal static List<string> OpenAiProblems(EmbeddingOptions options)
    {
        var errors = new List<string>();
        var section = EmbeddingOptions.Section;
        var provider = $"{section}:Provider is '{EmbeddingOptions.OpenAiProvider}'";
        if (string.IsNullOrWhiteSpace(options.Endpoint))
        {
            errors.Add($"{provider} but {section}:Endpoint is empty; set it to the server's base address including /v1, e.g. https://api.openai.com/v1.");
        }
        else if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{section}:Endpoint '{options.Endpoint}' is not an absolute http or https address.");
        }

        if (string.IsNullOrWhiteSpace(options.Model))
        {
            errors.Add($"{provider} but {section}:Model is empty; set it to the embedding model's name, e.g. text-embedding-3-small.");
        }

        if (options.Dimensions is null)
        {
            errors.Add($"{provider} but {section}:Dimensions is not set; set it to the vector length to store, e.g. 1536 for text-embedding-3-small.");
        }
        else if (options.Dimensions <= 0)
        {
            errors.Add($"{section}:Dimensions is {options.Dimensions}; it must be positive.");
        }

        if (options.BatchSize is < 1 or > MaxBatchSize)
        {
            errors.Add($"{section}:BatchSize is {options.BatchSize}; it must be 1 to {MaxBatchSize}.");
        }

        if (options.TimeoutSeconds <= 0)
        {
            errors.Add($"{section}:TimeoutSeconds is {options.TimeoutSeconds}; it must be positive.");
        }

        if (options.MaxRetries < 0)
        {
            errors.Add($"{section}:MaxRetries is {options.MaxRetries}; it must be 0 or more.");
        }

        return errors;
    }

    internal static bool IsProvider(EmbeddingOptions options, string provider) =>
        string.Equals(options.Provider?.Trim(), provider, StringComparison.OrdinalIgnoreCase);
}
