using Microsoft.Extensions.Options;

namespace MtlPortal.Llm;

/// <summary>Rejects a half-finished or malformed "Llm" section, with one message per problem naming the key to fix.</summary>
internal sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        var errors = Problems(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static List<string> Problems(LlmOptions options)
    {
        var errors = new List<string>();
        var section = LlmOptions.Section;
        var hasEndpoint = !string.IsNullOrWhiteSpace(options.Endpoint);
        var hasModel = !string.IsNullOrWhiteSpace(options.Model);
        if (hasEndpoint && !hasModel)
        {
            errors.Add($"{section}:Endpoint is set but {section}:Model is empty; set both to use a language model, or neither.");
        }
        else if (hasModel && !hasEndpoint)
        {
            errors.Add($"{section}:Model is set but {section}:Endpoint is empty; set both to use a language model, or neither.");
        }

        if (hasEndpoint && (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"{section}:Endpoint '{options.Endpoint}' is not an absolute http or https address.");
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
}
