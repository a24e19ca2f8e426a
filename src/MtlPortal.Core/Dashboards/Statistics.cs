namespace MtlPortal.Dashboards;

/// <summary>A 95% interval, both ends in the units of the estimate.</summary>
public readonly record struct Interval(double Low, double High)
{
    public bool Covers(double value) => Low <= value && value <= High;
}

/// <summary>
/// The statistics the dashboards show: a rate's Wilson interval, the exact McNemar test on paired tasks, and a
/// seeded paired bootstrap, so the same data always draws the same page.
/// </summary>
public static class Statistics
{
    /// <summary>The normal quantile for a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>The seed every dashboard bootstrap uses, so a page and the API agree and reloads do not move.</summary>
    public const int BootstrapSeed = 20260411;

    public const int BootstrapResamples = 2000;

    /// <summary>
    /// Wilson's score interval for a rate <paramref name="rate"/> observed over <paramref name="trials"/> trials.
    /// The rate may be fractional (a mean pass@k over tasks), in which case the tasks are the trials.
    /// </summary>
    public static Interval Wilson(double rate, int trials, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trials);
        if (trials == 0)
        {
            return new Interval(0, 1);
        }

        var z2 = z * z;
        var denominator = 1 + z2 / trials;
        var centre = (rate + z2 / (2.0 * trials)) / denominator;
        var half = z * Math.Sqrt(rate * (1 - rate) / trials + z2 / (4.0 * trials * trials)) / denominator;
        return new Interval(Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>Wilson's interval for <paramref name="successes"/> of <paramref name="trials"/>.</summary>
    public static Interval Wilson(int successes, int trials) =>
        Wilson(trials == 0 ? 0 : (double)successes / trials, trials);

    /// <summary>
    /// The exact (binomial) McNemar test: under "no difference" each discordant task is equally likely to have
    /// improved or regressed, so the two-sided p-value is twice the smaller tail of Binomial(b + c, ½), capped at 1.
    /// </summary>
    /// <param name="improved">b: tasks failed under the baseline and passed under the candidate.</param>
    /// <param name="regressed">c: tasks passed under the baseline and failed under the candidate.</param>
    public static double McNemarExactP(int improved, int regressed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(improved);
        ArgumentOutOfRangeException.ThrowIfNegative(regressed);
        var n = improved + regressed;
        if (n == 0)
        {
            return 1.0;
        }

        // Summed in log space: 2^-n underflows for a few thousand tasks, the binomials overflow much earlier.
        var smaller = Math.Min(improved, regressed);
        var logHalfPowN = -n * Math.Log(2);
        var tail = 0.0;
        var logBinomial = 0.0;
        for (var i = 0; i <= smaller; i++)
        {
            if (i > 0)
            {
                logBinomial += Math.Log(n - i + 1) - Math.Log(i);
            }

            tail += Math.Exp(logBinomial + logHalfPowN);
        }

        return Math.Min(1.0, 2 * tail);
    }

    /// <summary>
    /// The percentile bootstrap 95% interval of the mean of paired per-task differences (candidate − baseline):
    /// tasks are resampled with replacement, keeping each task's pair together.
    /// </summary>
    public static Interval PairedBootstrap(IReadOnlyList<double> differences, int seed = BootstrapSeed, int resamples = BootstrapResamples)
    {
        ArgumentNullException.ThrowIfNull(differences);
        return Bootstrap([differences], seed, resamples);
    }

    /// <summary>
    /// The percentile bootstrap 95% interval of the mean over groups of each group's mean (a macro average): tasks are
    /// resampled within their group, so every group keeps its size.
    /// </summary>
    public static Interval StratifiedBootstrap(IReadOnlyList<IReadOnlyList<double>> groups, int seed = BootstrapSeed, int resamples = BootstrapResamples)
    {
        ArgumentNullException.ThrowIfNull(groups);
        return Bootstrap(groups, seed, resamples);
    }

    /// <summary>The q-quantile (0..1) of sorted values with linear interpolation between order statistics (numpy's default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var position = q * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    private static Interval Bootstrap(IReadOnlyList<IReadOnlyList<double>> groups, int seed, int resamples)
    {
        var nonEmpty = groups.Where(g => g.Count > 0).ToList();
        if (nonEmpty.Count == 0)
        {
            return new Interval(0, 0);
        }

        var random = new Random(seed);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            var sum = 0.0;
            foreach (var group in nonEmpty)
            {
                var groupSum = 0.0;
                for (var i = 0; i < group.Count; i++)
                {
                    groupSum += group[random.Next(group.Count)];
                }

                sum += groupSum / group.Count;
            }

            means[r] = sum / nonEmpty.Count;
        }

        Array.Sort(means);
        return new Interval(Quantile(means, 0.025), Quantile(means, 0.975));
    }
}
