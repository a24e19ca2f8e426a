using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtlPortal.Embeddings;

namespace MtlPortal.UnitTests.Embeddings;

public class EmbeddingsRegistrationTests
{
    [Fact]
    public async Task AddPortalEmbeddings_NothingConfigured_UsesTheLocalSentenceModel()
    {
        using var services = Build([]);

        var generator = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var vector = await generator.GenerateVectorAsync("run the tests");

        Assert.IsType<LocalEmbeddingGenerator>(generator);
        Assert.Equal(384, vector.Length);
        Assert.Equal(new EmbeddingModelInfo("local:all-MiniLM-L6-v2:384", 384), services.GetRequiredService<EmbeddingModelInfo>());
    }

    [Fact]
    public void AddPortalEmbeddings_Lexical_UsesLexical384()
    {
        using var services = Build(new() { ["Embeddings:Provider"] = "lexical" });

        Assert.IsType<LexicalEmbeddingGenerator>(services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Equal(new EmbeddingModelInfo("lexical-hashed-ngrams-384-v1", 384), services.GetRequiredService<EmbeddingModelInfo>());
    }

    [Fact]
    public void AddPortalEmbeddings_LexicalWithDimensions_UsesThem()
    {
        using var services = Build(new() { ["Embeddings:Provider"] = "Lexical", ["Embeddings:Dimensions"] = "512" });

        Assert.Equal("lexical-hashed-ngrams-512-v1", services.GetRequiredService<EmbeddingModelInfo>().ModelId);
    }

    [Fact]
    public void AddPortalEmbeddings_OpenAi_RegistersAdapterWithModelIdNamingModelAndLength()
    {
        using var services = Build(new()
        {
            ["Embeddings:Provider"] = "openai",
            ["Embeddings:Endpoint"] = "http://localhost:11434/v1",
            ["Embeddings:Model"] = "text-embedding-3-small",
            ["Embeddings:Dimensions"] = "1536",
        });

        Assert.IsType<OpenAiEmbeddingGenerator>(services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Equal(new EmbeddingModelInfo("openai:text-embedding-3-small:1536", 1536), services.GetRequiredService<EmbeddingModelInfo>());
    }

    [Theory]
    [InlineData("openai", null, "m", "1536", "Embeddings:Provider is 'openai' but Embeddings:Endpoint is empty")]
    [InlineData("openai", "http://localhost:11434/v1", null, "1536", "Embeddings:Provider is 'openai' but Embeddings:Model is empty")]
    [InlineData("openai", "http://localhost:11434/v1", "m", null, "Embeddings:Provider is 'openai' but Embeddings:Dimensions is not set")]
    [InlineData("openai", "ftp://host/v1", "m", "1536", "Embeddings:Endpoint 'ftp://host/v1' is not an absolute http or https address")]
    [InlineData("bert", null, null, null, "Embeddings:Provider is 'bert'; expected 'local', 'lexical' or 'openai'")]
    [InlineData("local", null, null, "768", "Embeddings:Dimensions is 768; the local model (all-MiniLM-L6-v2) makes 384-dimensional vectors")]
    [InlineData("lexical", null, null, "8", "Embeddings:Dimensions is 8; the lexical provider needs 32 to 8192")]
    public void AddPortalEmbeddings_BadConfiguration_ResolvingFailsNamingTheKey(string provider, string? endpoint, string? model, string? dimensions, string expected)
    {
        using var services = Build(new()
        {
            ["Embeddings:Provider"] = provider,
            ["Embeddings:Endpoint"] = endpoint,
            ["Embeddings:Model"] = model,
            ["Embeddings:Dimensions"] = dimensions,
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task AddPortalEmbeddings_BadConfiguration_HostFailsToStart()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Embeddings:Provider"] = "openai" });
        builder.Services.AddPortalEmbeddings();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Embeddings:Provider is 'openai' but Embeddings:Endpoint is empty", error.Message);
    }

    [Fact]
    public void AddPortalEmbeddings_CalledTwice_RegistersOneGenerator()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());

        services.AddPortalEmbeddings().AddPortalEmbeddings();

        Assert.Single(services, d => d.ServiceType == typeof(IEmbeddingGenerator<string, Embedding<float>>));
        using var provider = services.BuildServiceProvider();
        Assert.Single(provider.GetServices<IEmbeddingGenerator<string, Embedding<float>>>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddPortalEmbeddings();
        return services.BuildServiceProvider();
    }
}
