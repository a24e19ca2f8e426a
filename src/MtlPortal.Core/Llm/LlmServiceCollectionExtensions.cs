using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MtlPortal.Llm;

public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="LlmOptions"/> (validated when the host starts) and, only when <c>Llm:Endpoint</c> and
    /// <c>Llm:Model</c> are both set, registers an <see cref="IChatClient"/> for that server. Without them nothing
    /// is registered, so features that need a model resolve <c>IChatClient</c> as optional and say it is missing;
    /// there is deliberately no stand-in that would produce made-up answers.
    /// </summary>
    /// <param name="configuration">Read now, because whether the client exists is decided at registration.</param>
    public static IServiceCollection AddPortalLlm(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());

        var configured = new LlmOptions();
        configuration.GetSection(LlmOptions.Section).Bind(configured);
        if (configured.IsConfigured)
        {
            services.TryAddSingleton<IChatClient>(sp => PortalChatClient.Create(sp.GetRequiredService<IOptions<LlmOptions>>().Value));
        }

        return services;
    }
}
