using System.Numerics;
using MtlPortal.Runs;

namespace MtlPortal.UnitTests.Runs;

public class PassAtKTests
{
    [Theory]
    [InlineData(3, 1, 1, 1.0 / 3)] // 1 − C(2,1)/C(3,1) = 1 − 2/3
    [InlineData(3, 1, 2, 2.0 / 3)] // 1 − C(2,2)/C(3,2) = 1 − 1/3
    [InlineData(3, 1, 3, 1.0)] // fewer failures than draws
    [InlineData(5, 2, 2, 0.7)] // 1 − C(3,2)/C(5,2) = 1 − 3/10
    [InlineData(10, 3, 1, 0.3)] // pass@1 is the pass rate
    [InlineData(4, 0, 4, 0.0)]
    [InlineData(4, 4, 1, 1.0)]
    public void ForTask_MatchesTheHandComputedBinomialRatio(int n, int c, int k, double expected)
    {
        Assert.Equal(expected, PassAtK.ForTask(n, c, k), 12);
    }

    [Fact]
    public void ForTask_LargeCounts_StaysExactWhereTheBinomialsOverflow()
    {
        // C(200, 100) has 59 digits: the product form must agree with exact integer arithmetic.
        var exact = 1.0 - (double)(Binomial(163, 100) * 1_000_000_000_000 / Binomial(200, 100)) / 1_000_000_000_000;

        Assert.Equal(exact, PassAtK.ForTask(200, 37, 100), 10);
    }

    [Fact]
    public void Mean_AveragesEveryKOverTasks()
    {
        var result = PassAtK.Mean([(3, 1), (3, 3), (3, 0)]);

        Assert.Equal([1, 2, 3], result.Keys);
        Assert.Equal(4.0 / 9, result[1], 12); // (1/3 + 1 + 0) / 3
        Assert.Equal(5.0 / 9, result[2], 12); // (2/3 + 1 + 0) / 3
        Assert.Equal(2.0 / 3, result[3], 12); // (1 + 1 + 0) / 3
    }

    [Fact]
    public void Mean_RunInProgress_LeavesOutTasksNotStartedAndStopsAtTheFewestAttempts()
    {
        var result = PassAtK.Mean([(2, 1), (3, 3), (0, 0)]);

        Assert.Equal([1, 2], result.Keys);
        Assert.Equal((0.5 + 1) / 2, result[1], 12);
        Assert.Equal((1 + 1) / 2.0, result[2], 12);
        Assert.Empty(PassAtK.Mean([]));
    }

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(3, 4, 1)]
    [InlineData(3, 1, 0)]
    [InlineData(3, 1, 4)]
    [InlineData(3, -1, 1)]
    public void ForTask_ImpossibleCounts_AreRefused(int n, int c, int k)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.ForTask(n, c, k));
    }

    private static BigInteger Binomial(int n, int k)
    {
        BigInteger result = 1;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }
}
