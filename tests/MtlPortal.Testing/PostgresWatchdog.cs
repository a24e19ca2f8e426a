using System.Diagnostics;

namespace MtlPortal.Testing;

/// <summary>
/// Removes the temporary folders of a test process once it has ended, however it ended, and first stops every
/// PostgreSQL server running in them. pg_ctl starts a server in a session of its own, so it outlives a test host that
/// is killed (a run cut short by a timeout, a crash), and such a host runs no exit handler.
/// </summary>
public static class PostgresWatchdog
{
    /// <summary>
    /// The watchdog itself, a POSIX shell script; <c>$1</c> is a file that lists the folders, one a line. It waits until
    /// its standard input reaches its end, which the kernel brings about when the last process holding the other end
    /// of that pipe has ended, even by SIGKILL. Then it stops each server the way <c>pg_ctl stop -m immediate</c> does
    /// (SIGQUIT to the postmaster; as root, no switch to the postgres user is needed to signal it), but only a process
    /// whose working folder is that data folder, so that a stale postmaster.pid never has it signal another process
    /// that now has that id. Writing nowhere, it holds no pipe of the test run open.
    /// </summary>
    private const string Script = """
        exec >/dev/null 2>&1
        cat
        pids=$(while IFS= read -r folder; do
          find "$folder" -name postmaster.pid | while IFS= read -r pidfile; do
            pid=$(head -n 1 "$pidfile")
            if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/cwd")" = "$(readlink -f "$(dirname "$pidfile")")" ]; then
              echo "$pid"
            fi
          done
        done < "$1")
        for pid in $pids; do
          kill -QUIT "$pid"
        done
        for pid in $pids; do
          waited=0
          while kill -0 "$pid" && [ "$waited" -lt 300 ]; do
            sleep 0.1
            waited=$((waited + 1))
          done
          kill -KILL "$pid"
        done
        while IFS= read -r folder; do
          rm -rf "$folder"
        done < "$1"
        rm -f "$1"
        """;

    private static readonly Lock Gate = new();
    private static readonly Lazy<Watchdog> Current = new(StartForThisProcess);

    /// <summary>Has <paramref name="folder"/>, and any server in it, go when this process ends.</summary>
    public static void Watch(string folder)
    {
        lock (Gate)
        {
            File.AppendAllText(Current.Value.FolderList, folder + "\n");
        }
    }

    /// <summary>
    /// The command that starts a watchdog for the folders listed in <paramref name="folderList"/>: in a session of its
    /// own (so that a signal to the owner's process group does not reach it) and not as the owner's child (so that
    /// killing the owner's process tree leaves it alone). Whatever holds the writing end of its standard input owns it.
    /// </summary>
    public static IReadOnlyList<string> Command(string folderList) =>
        ["setsid", "--fork", "sh", "-c", Script, "postgres-watchdog", folderList];

    /// <summary>A watchdog fed by a pipe that only this process writes to, and never closes while it runs.</summary>
    private static Watchdog StartForThisProcess()
    {
        var folderList = Path.Combine(Path.GetTempPath(), $"mtl-watchdog-{Guid.NewGuid().ToString("N")[..12]}.folders");
        File.WriteAllText(folderList, "");
        var command = Command(folderList);
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        return new Watchdog(folderList, Process.Start(start) ?? throw new InvalidOperationException("setsid did not start."));
    }

    /// <summary>The list the watchdog reads, and the watchdog, kept referenced so that its input stays open.</summary>
    private sealed record Watchdog(string FolderList, Process Process);
}
