using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using MtlPortal.Runs;

namespace MtlPortal.IntegrationTests.Runs;

/// <summary>The portal without a job server of its own: its runs are worked on only by the worker processes a test starts.</summary>
public sealed class RunPortalWithoutWorker(FakeOpenAiServer llm) : RunPortal(llm)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Runner:Enabled", "false");
    }
}

/// <summary>
/// <c>./mtl worker</c> as a real child process (the build of MtlPortal.Web beside the tests), so that it can be killed
/// the hard way (SIGKILL: no shutdown, no cleanup, connections dropped by the kernel) in the middle of a run.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcess(Process process)
    {
        _process = process;
    }

    /// <summary>What the worker wrote, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    public static WorkerProcess Start(string connectionString)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MtlPortal.Web.dll"));
        start.ArgumentList.Add("worker");
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MTL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["ConnectionStrings__Portal"] = connectionString;
        start.Environment["Runner__WorkerCount"] = "2";
        start.Environment["Runner__PollSeconds"] = "0.1";
        // A task taken by a killed worker is taken over after this long (the shortest the queue allows).
        start.Environment["Runner__TakeOverSeconds"] = "5";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>SIGKILL to the worker and everything it started (its sandboxed programs).</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public bool HasExited => _process.HasExited;

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillHardAsync();
        }

        _process.Dispose();
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path
        : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : "dotnet";
}

public sealed class RunKillTests
{
    [Fact]
    public async Task WorkerKilledHardMidRun_NextWorkerFinishesTheRun_WithEveryAttemptRecordedExactlyOnce()
    {
        await using var llm = await FakeOpenAiServer.StartAsync();
        llm.ResponseDelay = TimeSpan.FromMilliseconds(100);
        llm.Reply = messages => RunPortal.IsPlanRequest(messages) ? "Return the number." : RunPortal.Answer(RunPortal.TaskNumber(messages));
        await using var portal = new RunPortalWithoutWorker(llm);
        await portal.InitializeAsync();
        await portal.BenchmarkAsync("killed-mid-run", tasks: 4);
        await portal.ApprovedInsightAsync("Return what is asked", "Return the number the task names.", "elsewhere");
        var run = await portal.StartAsync(new RunRequest { Benchmark = "killed-mid-run", Conditions = ["zero-shot", "insight"], Attempts = 2 });
        Assert.Equal(16, run.ExpectedAttempts);

        // A guard against hanging for ever when something is broken, not a time limit on the behaviour.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        int recordedAtKill;
        await using (var first = WorkerProcess.Start(portal.ConnectionString))
        {
            while ((await portal.AttemptsAsync(run.Id)).Count < 3)
            {
                Assert.False(first.HasExited, first.Output);
                await Task.Delay(20, guard.Token);
            }

            await first.KillHardAsync();
            recordedAtKill = (await portal.AttemptsAsync(run.Id)).Count;
        }

        Assert.InRange(recordedAtKill, 3, run.ExpectedAttempts - 1);
        Assert.Equal("running", (await portal.SummaryAsync(run.Id)).Status);

        await using var second = WorkerProcess.Start(portal.ConnectionString);
        RunSummary summary;
        while ((summary = await portal.SummaryAsync(run.Id)).Status == "running")
        {
            Assert.False(second.HasExited, second.Output);
            await Task.Delay(50, guard.Token);
        }

        Assert.True(summary.Status == "completed", $"{summary.Status}: {summary.StatusReason}\n{second.Output}");
        var attempts = await portal.AttemptsAsync(run.Id);
        Assert.Equal(run.ExpectedAttempts, attempts.Count);
        Assert.Equal(run.ExpectedAttempts, attempts.Select(a => (a.TaskId, a.Condition, a.AttemptNumber)).Distinct().Count());
        Assert.All(attempts, a => Assert.Null(a.Error));
    }
}
