using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Memories.Transfer;

namespace MtlPortal.IntegrationTests.Transfer;

/// <summary>The portal with an OpenAI-compatible embedding model (the test fake) instead of the local one.</summary>
public sealed class RemoteEmbeddingPortal : TransferPortal
{
    public FakeOpenAiServer Model { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Model = await FakeOpenAiServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Model.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Embeddings:Provider", "openai");
        builder.UseSetting("Embeddings:Endpoint", Model.Endpoint.ToString());
        builder.UseSetting("Embeddings:Model", "fake-embedding");
        builder.UseSetting("Embeddings:Dimensions", "8");
        builder.UseSetting("Embeddings:MaxRetries", "0");
    }
}

public class RemoteEmbeddingImportTests(RemoteEmbeddingPortal portal) : IClassFixture<RemoteEmbeddingPortal>
{
    private async Task<ImportResult> ImportAsync(int count)
    {
        var actor = await portal.ActorAsync(portal.Author);
        await using var scope = portal.Services.CreateAsyncScope();
        var file = new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", MemorySamples.Records(count).Select(r => r.ToJsonLine()))));
        return await scope.ServiceProvider.GetRequiredService<MemoryImporter>().ImportAsync(actor, file, new ImportOptions("remote.jsonl"));
    }

    private int EmbeddingRequests => portal.Model.Requests.Count(r => r.Path == "/v1/embeddings");

    [Fact]
    public async Task ImportAsync_WithARemoteModel_EmbedsInBatchesNotOnePerMemory()
    {
        var before = EmbeddingRequests;

        var result = await ImportAsync(150);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(3, EmbeddingRequests - before); // 64 + 64 + 22
        await using var db = await portal.DbAsync();
        var ids = result.MemoryIds.ToList();
        var revisions = await db.MemoryRevisions.Where(r => ids.Contains(r.MemoryId)).ToListAsync();
        Assert.All(revisions, r => Assert.Equal((8, "openai:fake-embedding:8"), (r.Embedding!.Length, r.EmbeddingModel)));
    }

    [Fact]
    public async Task ImportAsync_TheModelFails_ImportsNothingAndSaysWhy()
    {
        var before = await portal.MemoryCountAsync();
        portal.Model.FailRequests(503, count: 1);

        var result = await ImportAsync(100);

        var error = Assert.Single(result.Errors);
        Assert.Equal(0, error.Line);
        Assert.StartsWith("Computing the embeddings failed, so nothing was imported:", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await portal.MemoryCountAsync());
    }
}
