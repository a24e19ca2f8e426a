using MtlPortal.Dashboards;

namespace MtlPortal.UnitTests.Dashboards;

/// <summary>
/// Expected values computed independently with python3 on this machine: McNemar as 2·Σ C(n,i)/2^n with exact integers
/// (math.comb), Wilson by inverting the score test |p̂ − p| = z·√(p(1−p)/n) with bisection (not the closed form used here).
/// </summary>
public class StatisticsTests
{
    [Theory]
    [InlineData(10, 2, 0.03857421875)] // the example: p ≈ 0.0386
    [InlineData(20, 5, 0.004077315330505371)]
    [InlineData(0, 4, 0.125)]
    [InlineData(3, 3, 1.0)]
    [InlineData(1, 0, 1.0)]
    [InlineData(0, 0, 1.0)] // no discordant task: no evidence of a difference
    public void McNemarExactP_MatchesTheExactBinomialTail(int improved, int regressed, double expected)
    {
        Assert.Equal(expected, Statistics.McNemarExactP(improved, regressed), 12);
    }

    [Fact]
    public void McNemarExactP_IsSymmetricAndStaysFiniteForThousandsOfTasks()
    {
        Assert.Equal(Statistics.McNemarExactP(10, 2), Statistics.McNemarExactP(2, 10), 15);
        var p = Statistics.McNemarExactP(2600, 2400);
        Assert.InRange(p, 0.004, 0.006); // normal approximation: z = 200/√5000 = 2.83, two-sided p = 0.0047
    }

    [Theory]
    [InlineData(7, 10, 0.39677814746114537, 0.8922087325936989)]
    [InlineData(81, 263, 0.2552885198782743, 0.3662095769828001)]
    [InlineData(0, 10, 0.0, 0.27753279986288926)]
    [InlineData(10, 10, 0.7224672001371109, 1.0)]
    public void Wilson_MatchesTheInvertedScoreTest(int successes, int trials, double low, double high)
    {
        var interval = Statistics.Wilson(successes, trials);

        Assert.Equal(low, interval.Low, 9);
        Assert.Equal(high, interval.High, 9);
    }

    [Fact]
    public void Wilson_NoTrials_SaysNothingIsKnown()
    {
        Assert.Equal(new Interval(0, 1), Statistics.Wilson(0, 0));
    }

    [Fact]
    public void PairedBootstrap_SameSeed_GivesTheSameInterval_AndItLiesNearTheNormalApproximation()
    {
        // 40 tasks: 12 improved (+1), 4 regressed (−1), 24 unchanged. Mean 0.2; plug-in standard error
        // √(var/n) = 0.0948683 (python3), so the normal 95% interval is [0.01406, 0.38594].
        List<double> differences = [.. Enumerable.Repeat(1.0, 12), .. Enumerable.Repeat(-1.0, 4), .. Enumerable.Repeat(0.0, 24)];

        var first = Statistics.PairedBootstrap(differences);
        var again = Statistics.PairedBootstrap(differences);

        Assert.Equal(first, again);
        Assert.Equal(0.01406, first.Low, 0.03);
        Assert.Equal(0.38594, first.High, 0.03);
        Assert.False(first.Covers(0));
    }

    [Fact]
    public void PairedBootstrap_BalancedFlips_CoversZero()
    {
        List<double> differences = [.. Enumerable.Repeat(1.0, 3), .. Enumerable.Repeat(-1.0, 3), .. Enumerable.Repeat(0.0, 10)];

        Assert.True(Statistics.PairedBootstrap(differences).Covers(0));
    }

    [Fact]
    public void PairedBootstrap_EveryTaskTheSame_HasNoWidth()
    {
        Assert.Equal(new Interval(0.5, 0.5), Statistics.PairedBootstrap([0.5, 0.5, 0.5]));
    }

    [Fact]
    public void StratifiedBootstrap_KeepsEachGroupsWeight()
    {
        // Two benchmarks whose tasks never vary: the macro mean (0 + 1) / 2 can only be 0.5, however tasks are drawn.
        Assert.Equal(new Interval(0.5, 0.5), Statistics.StratifiedBootstrap([[0, 0, 0, 0, 0, 0], [1, 1]]));
    }

    [Fact]
    public void Quantile_InterpolatesLikeNumpy()
    {
        // numpy.quantile([1, 2, 3, 4], 0.25) == 1.75 (linear, the default).
        Assert.Equal(1.75, Statistics.Quantile([1, 2, 3, 4], 0.25), 12);
    }
}
