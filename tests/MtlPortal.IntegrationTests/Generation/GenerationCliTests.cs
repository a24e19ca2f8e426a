using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Generation;
using MtlPortal.IntegrationTests.Runs;
using MtlPortal.Memories;
using MtlPortal.Trajectories;

namespace MtlPortal.IntegrationTests.Generation;

public sealed class GenerationCliTests : IAsyncLifetime
{
    private readonly RunPortal _portal = new();

    public Task InitializeAsync() => _portal.InitializeAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task ImportTrajectories_InterCodeSample_StoresEveryEpisodeWithItsGroundTruth()
    {
        var file = SharedData.PathOf("trajectories", "intercode", "ic_bash_react_gpt-3.5_10_turns_fs_4.json");

        var (exit, output, error) = await _portal.CliAsync("import-trajectories", file, "--format", "intercode", "--domain", "nl2bash", "--model", "gpt-3.5", "--as", "manager@example.org");

        Assert.True(exit == 0, error + output);
        Assert.Contains("Imported 27 trajectories", output, StringComparison.Ordinal);
        await using var db = await _portal.DbAsync();
        Assert.Equal(7, await db.Set<Trajectory>().CountAsync(t => t.Verdict == TrajectoryVerdict.Passed && t.SourceModel == "gpt-3.5" && t.SourceDomain == "nl2bash"));
    }

    [Fact]
    public async Task ImportTrajectories_BadRecord_ImportsNothingAndNamesTheLine()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(file, "{\"task\":\"ok\",\"steps\":[{\"action\":\"ls\"}]}\n{\"task\":\"no steps\",\"steps\":[]}\n");
        try
        {
            var (exit, _, error) = await _portal.CliAsync("import-trajectories", file, "--format", "jsonl", "--domain", "toy", "--as", "manager@example.org");

            Assert.Equal(1, exit);
            Assert.Contains("line 2, steps: The trajectory has no steps.", error, StringComparison.Ordinal);
            await using var db = await _portal.DbAsync();
            Assert.Equal(0, await db.Set<Trajectory>().CountAsync());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task GenerateMemories_FromAFileWithWait_PrintsProgressAndFillsTheReviewQueue()
    {
        _portal.Llm.Reply = _ => """{"title": "Reproduce before fixing", "description": "Confirm the failure with a small check before changing anything.", "content": "Write a minimal check that shows the failure first. Change the code, then run the same check again to see it pass."}""";
        var file = Path.Combine(Path.GetTempPath(), $"gen-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllTextAsync(file, "{\"task\":\"Fix it\",\"verdict\":\"passed\",\"steps\":[{\"action\":\"run the check\",\"observation\":\"ok\"}]}\n");
        try
        {
            var (exit, output, error) = await _portal.CliAsync("generate-memories", "--trajectories", file, "--domain", "toy", "--kinds", "insight", "--team", "Alpha", "--as", "manager@example.org", "--wait");

            Assert.True(exit == 0, error + output);
            Assert.Contains("1/1 trajectories, 1/1 calls, 1 memories in review", output, StringComparison.Ordinal);
            await using var db = await _portal.DbAsync();
            var link = await db.Set<GeneratedMemory>().SingleAsync();
            Assert.Equal(MemoryStatus.InReview, (await db.Memories.SingleAsync(m => m.Id == link.MemoryId)).Status);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
