using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MtlPortal.Embeddings;

/// <summary>
/// Starts loading the local model when the host starts, without holding the start up: pages and the API serve at
/// once, and a search that arrives before the model is ready waits for it (about a second) rather than failing.
/// </summary>
internal sealed class EmbeddingWarmUp(IEmbeddingGenerator<string, Embedding<float>> generator, ILogger<EmbeddingWarmUp> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (generator is LocalEmbeddingGenerator local)
        {
            _ = LoadAsync(local);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task LoadAsync(LocalEmbeddingGenerator local)
    {
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            await local.WarmUpAsync();
            logger.LogInformation("Embedding model {Model} loaded in {Milliseconds:F0} ms", local.ModelInfo.ModelId, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e)
        {
            // Searches will report the same failure; the rest of the portal keeps serving.
            logger.LogError(e, "The embedding model {Model} could not be loaded", local.ModelInfo.ModelId);
        }
    }
}
