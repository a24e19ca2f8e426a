using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtlPortal.Llm;
using MtlPortal.Testing;

namespace MtlPortal.UnitTests.Llm;

public class LlmRegistrationTests
{
    [Fact]
    public void AddPortalLlm_NothingConfigured_RegistersNoChatClient()
    {
        using var services = Build([]);

        Assert.Null(services.GetService<IChatClient>());
    }

    [Fact]
    public async Task AddPortalLlm_EndpointAndModel_RegistersClientThatTalksToThatServer()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Reply = _ => "configured reply";
        using var services = Build(new()
        {
            ["Llm:Endpoint"] = server.Endpoint.ToString(),
            ["Llm:Model"] = "gpt-test",
        });

        var client = services.GetRequiredService<IChatClient>();
        var response = await client.GetResponseAsync("hello");

        Assert.IsType<PortalChatClient>(client);
        Assert.Equal("configured reply", response.Text);
        Assert.Equal("gpt-test", Assert.Single(server.Requests).Body.GetProperty("model").GetString());
    }

    [Theory]
    [InlineData("http://localhost:11434/v1", "", "Llm:Endpoint is set but Llm:Model is empty")]
    [InlineData("", "llama3", "Llm:Model is set but Llm:Endpoint is empty")]
    [InlineData("localhost:11434", "llama3", "Llm:Endpoint 'localhost:11434' is not an absolute http or https address")]
    public async Task AddPortalLlm_IncompleteConfiguration_HostFailsToStartNamingTheKey(string endpoint, string model, string expected)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Llm:Endpoint"] = endpoint, ["Llm:Model"] = model });
        builder.Services.AddPortalLlm(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddPortalLlm(configuration);
        return services.BuildServiceProvider();
    }
}
