using System.Collections.Concurrent;
using System.Diagnostics;

namespace MtlPortal.Sandbox;

/// <summary>
/// Starts processes from one thread that lives as long as the portal. bubblewrap's <c>--die-with-parent</c> uses
/// the parent-death signal, which Linux sends when the <em>thread</em> that forked the process ends, not the
/// process: started from a thread-pool thread that retires while idle, a sandbox would be killed mid-run.
/// </summary>
internal static class ProcessSpawner
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Queue = [];

    static ProcessSpawner()
    {
        var thread = new Thread(Spawn) { IsBackground = true, Name = "sandbox process spawner" };
        thread.Start();
    }

    /// <summary>Starts <paramref name="process"/> on the spawner thread; throws what <see cref="Process.Start()"/> throws.</summary>
    public static Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((process, started));
        return started.Task;
    }

    private static void Spawn()
    {
        foreach (var (process, started) in Queue.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
