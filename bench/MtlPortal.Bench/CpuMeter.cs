using System.Globalization;

namespace MtlPortal.Bench;

/// <summary>
/// CPU time from /proc, so that a load step can say where the machine's two cores went: the portal, its
/// PostgreSQL, the load client (this process), and everything else on the shared machine.
/// </summary>
internal static class CpuMeter
{
    // USER_HZ, the unit of /proc's tick counts: fixed at 100 by the Linux ABI on the architectures .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>A process's own CPU seconds (user + system); NaN when it is gone.</summary>
    public static double ProcessSeconds(int pid) =>
        Fields(pid) is { } f ? (f[11] + f[12]) / TicksPerSecond : double.NaN;

    /// <summary>
    /// CPU seconds of a process tree: the root with the children it has waited for, plus every live descendant.
    /// For PostgreSQL's postmaster that is the whole server: its backends, and those that have exited.
    /// </summary>
    public static double TreeSeconds(int rootPid)
    {
        if (Fields(rootPid) is not { } root)
        {
            return double.NaN;
        }

        var children = new Dictionary<int, List<int>>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out int pid) && pid != rootPid && Fields(pid) is { } f)
            {
                int parent = (int)f[1];
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }

                list.Add(pid);
            }
        }

        double ticks = root[11] + root[12] + root[13] + root[14];
        var pending = new Stack<int>(children.GetValueOrDefault(rootPid) ?? []);
        for (int visited = 0; pending.Count > 0 && visited < 100_000; visited++)
        {
            int pid = pending.Pop();
            if (Fields(pid) is { } f)
            {
                ticks += f[11] + f[12];
            }

            foreach (int child in children.GetValueOrDefault(pid) ?? [])
            {
                pending.Push(child);
            }
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>CPU seconds of a process's threads whose name starts with <paramref name="threadName"/> (Linux keeps 15 characters).</summary>
    public static double ThreadSeconds(int pid, string threadName)
    {
        double ticks = 0;
        string tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks))
        {
            return double.NaN;
        }

        foreach (string task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(threadName, StringComparison.Ordinal)
                    && Fields(pid, int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)) is { } f)
                {
                    ticks += f[11] + f[12];
                }
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>
    /// CPU seconds of every process on the machine: each one's own time plus that of the children it has reaped, so
    /// a short-lived process (a compiler run by someone's build) still counts once its parent has waited for it.
    /// </summary>
    /// <remarks>
    /// Summed from the processes rather than read from /proc/stat, whose per-CPU busy time is sampled at timer
    /// ticks: for bursty work it was off by a factor of five here (a process busy 200 µs per 1 ms sleep measured 15 %
    /// of a core itself, and 77 % in /proc/stat), while each process's own time is exact.
    /// </remarks>
    public static double AllProcessesSeconds()
    {
        double ticks = 0;
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out int pid) && Fields(pid) is { } f)
            {
                ticks += f[11] + f[12] + f[13] + f[14];
            }
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>The 1-minute load average, as uptime shows it.</summary>
    public static double LoadAverage() =>
        File.Exists("/proc/loadavg")
            ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture)
            : double.NaN;

    // The fields of /proc/<pid>/stat after the command name (which may contain spaces): index 0 is the state,
    // 1 the parent pid, 11/12 utime/stime, 13/14 the waited-for children's cutime/cstime.
    private static double[]? Fields(int pid, int? thread = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(thread is { } tid ? $"/proc/{pid}/task/{tid}/stat" : $"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        string[] parts = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var fields = new double[15];
        for (int i = 1; i < fields.Length; i++)
        {
            fields[i] = double.Parse(parts[i], CultureInfo.InvariantCulture);
        }

        return fields;
    }
}
