using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Embeddings;
using MtlPortal.IntegrationTests.Memories;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;

namespace MtlPortal.IntegrationTests.Retrieval;

public class ReembedJobTests(MemoryPortal portal) : IClassFixture<MemoryPortal>
{
    [Fact]
    public async Task Run_AfterTheModelChanged_ReembedsEveryStaleRevisionWithProgressAndServesThemAgain()
    {
        var id = await portal.SubmittedAsync();
        await portal.AsAsync(portal.Reviewer1, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));
        await portal.SubmittedAsync(draft: MemoryPortal.Insight("Second one"));
        var contexts = portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            // As if the vectors had been made by the model configured before.
            await db.MemoryRevisions.ExecuteUpdateAsync(r => r.SetProperty(x => x.EmbeddingModel, "old-model:1024").SetProperty(x => x.Embedding, new float[1024]));
        }

        var pool = portal.Services.GetRequiredService<PoolIndexService>();
        await pool.ReloadAsync();
        Assert.Equal(0, pool.Index.Count);
        var job = portal.Services.GetRequiredService<ReembedJob>();
        var reports = new List<ReembedProgress>();

        var done = await job.RunAsync(portal.AdminId, new ImmediateProgress(reports.Add));

        Assert.Equal(2, done);
        Assert.Equal(0, await job.CountStaleAsync());
        Assert.Equal(1, pool.Index.Count);
        await using var check = await contexts.CreateDbContextAsync();
        var model = portal.Services.GetRequiredService<EmbeddingModelInfo>();
        Assert.All(await check.MemoryRevisions.ToListAsync(), r => Assert.Equal((model.ModelId, model.Dimensions), (r.EmbeddingModel, r.Embedding!.Length)));
        Assert.Contains(await check.AuditEntries.ToListAsync(), a => a.Action == "pool.reembedded" && a.Actor == portal.AdminId);
        Assert.Contains(reports, r => r.Done == 2 && r.Total == 2);
    }

    /// <summary>Reports on the calling thread, unlike Progress&lt;T&gt;, so the test sees every report when the run returns.</summary>
    private sealed class ImmediateProgress(Action<ReembedProgress> report) : IProgress<ReembedProgress>
    {
        public void Report(ReembedProgress value) => report(value);
    }
}
