namespace MtlPortal.Runs;

/// <summary>
/// The unbiased pass@k estimator of Chen et al. (2021): for a task with n attempts of which c passed,
/// pass@k = 1 − C(n−c, k) / C(n, k), the chance that k attempts drawn without replacement include a pass;
/// a benchmark's pass@k is the mean over its tasks.
/// </summary>
public static class PassAtK
{
    /// <summary>
    /// pass@k of one task. Computed as 1 − ∏_{i=n−c+1}^{n} (1 − k/i), which never forms the binomials (they
    /// overflow long before n = 100) and stays accurate.
    /// </summary>
    /// <param name="attempts">n, the attempts made (≥ 1).</param>
    /// <param name="passed">c, how many of them passed (0 ≤ c ≤ n).</param>
    /// <param name="k">k (1 ≤ k ≤ n).</param>
    public static double ForTask(int attempts, int passed, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(passed);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(passed, attempts);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, attempts);

        // Fewer failures than k: every draw of k attempts holds a pass.
        if (attempts - passed < k)
        {
            return 1.0;
        }

        var allFail = 1.0;
        for (var i = attempts - passed + 1; i <= attempts; i++)
        {
            allFail *= 1.0 - (double)k / i;
        }

        return 1.0 - allFail;
    }

    /// <summary>
    /// pass@k averaged over tasks, for k from 1 to the smallest number of attempts any task has. Tasks without
    /// attempts yet are left out, so a run in progress reports over the tasks it has reached.
    /// </summary>
    /// <param name="tasks">Per task: attempts made (n) and attempts passed (c).</param>
    /// <returns>pass@k by k; empty when no task has an attempt.</returns>
    public static IReadOnlyDictionary<int, double> Mean(IEnumerable<(int Attempts, int Passed)> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var started = tasks.Where(t => t.Attempts > 0).ToList();
        var result = new SortedDictionary<int, double>();
        if (started.Count == 0)
        {
            return result;
        }

        var n = started.Min(t => t.Attempts);
        for (var k = 1; k <= n; k++)
        {
            result[k] = started.Average(t => ForTask(t.Attempts, t.Passed, k));
        }

        return result;
    }
}
