using System.Diagnostics;

namespace MtlPortal.Bench;

/// <summary>Per-operation latencies and their percentiles, in milliseconds.</summary>
internal sealed class LatencyStats
{
    private readonly List<double> _milliseconds = [];

    public int Count => _milliseconds.Count;

    public double Total => _milliseconds.Sum();

    public double Mean => _milliseconds.Count == 0 ? double.NaN : _milliseconds.Average();

    public double Max => _milliseconds.Count == 0 ? double.NaN : _milliseconds.Max();

    /// <summary>Adds latencies measured elsewhere (e.g. by concurrent workers, each with its own list).</summary>
    public void AddRange(IEnumerable<double> milliseconds) => _milliseconds.AddRange(milliseconds);

    /// <summary>Runs the operation once and records how long it took.</summary>
    public T Time<T>(Func<T> operation)
    {
        long start = Stopwatch.GetTimestamp();
        T result = operation();
        _milliseconds.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return result;
    }

    /// <summary>Nearest-rank percentile; NaN when nothing was measured.</summary>
    public double Percentile(double percent)
    {
        if (_milliseconds.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _milliseconds.Order().ToArray();
        int rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
