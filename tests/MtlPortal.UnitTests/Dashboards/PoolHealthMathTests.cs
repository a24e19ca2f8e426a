using MtlPortal.Dashboards;

namespace MtlPortal.UnitTests.Dashboards;

public class PoolHealthMathTests
{
    [Fact]
    public void DaviesBouldin_TwoPairsOnALine_IsScatterSumOverCentroidDistance()
    {
        // Labels {0, 2} and {10, 12}: each has centroid distance 1 on average, centroids 10 apart: (1 + 1) / 10.
        ReadOnlyMemory<float>[] points = [new[] { 0f }, new[] { 2f }, new[] { 10f }, new[] { 12f }];

        Assert.Equal(0.2, PoolHealthMath.DaviesBouldin(points, [0, 0, 1, 1])!.Value, 6);
    }

    [Fact]
    public void DaviesBouldin_OneLabel_HasNoValue() =>
        Assert.Null(PoolHealthMath.DaviesBouldin([new[] { 0f }, new[] { 1f }], [0, 0]));

    [Fact]
    public void TwoSeparatedClusters_LabelledByCluster_GiveLisiOfOneAndASmallDaviesBouldin()
    {
        var (points, _) = Clouds(perCloud: 120, separation: 50, seed: 1);
        var labels = Enumerable.Range(0, points.Count).Select(i => i < 120 ? 0 : 1).ToArray();

        var lisi = PoolHealthMath.Lisi(points, labels);
        var dbi = PoolHealthMath.DaviesBouldin(points, labels)!.Value;

        Assert.All(lisi, value => Assert.InRange(value, 0.999, 1.001));
        Assert.InRange(dbi, 0, 0.1);
    }

    [Fact]
    public void FullyMixedLabels_GiveLisiNearTheNumberOfLabelsAndALargeDaviesBouldin()
    {
        var (points, _) = Clouds(perCloud: 240, separation: 0, seed: 2);
        var labels = Enumerable.Range(0, points.Count).Select(i => i % 3).ToArray();

        var lisi = PoolHealthMath.Lisi(points, labels);
        var dbi = PoolHealthMath.DaviesBouldin(points, labels)!.Value;

        // Random labels in one cloud: about a third of each neighbourhood's weight per label (a perplexity of 30 is
        // about 30 effective neighbours, so chance keeps it a little under 3).
        Assert.InRange(lisi.Average(), 2.5, 3.0);
        Assert.True(dbi > 5, $"DBI was {dbi}");
    }

    [Fact]
    public void Lisi_EvenlyWeightedNeighboursOfTwoLabels_IsTwo()
    {
        var distances = Enumerable.Repeat(1.0, 90).ToArray();
        var labels = Enumerable.Range(0, 90).Select(i => i % 2).ToArray();

        Assert.Equal(2.0, PoolHealthMath.Lisi(distances, labels), 9);
    }

    [Fact]
    public void NeighbourWeights_FindTheBandwidthWhosePerplexityIsThirty()
    {
        var distances = Enumerable.Range(0, 90).Select(i => i / 10.0).ToArray();

        var weights = PoolHealthMath.NeighbourWeights(distances);

        var entropy = -weights.Where(w => w > 0).Sum(w => w * Math.Log(w));
        Assert.Equal(30, Math.Exp(entropy), 2);
        Assert.Equal(1.0, weights.Sum(), 9);
        Assert.True(weights[0] > weights[89]);
    }

    [Fact]
    public void PerplexityFor_SmallKinds_IsLoweredSoEveryMemoryHasThreeTimesAsManyNeighbours()
    {
        Assert.Equal(30, PoolHealthMath.PerplexityFor(500));
        Assert.Equal(30, PoolHealthMath.PerplexityFor(91));
        Assert.Equal(3, PoolHealthMath.PerplexityFor(10));
        Assert.Equal(90, PoolHealthMath.NeighbourCount());
    }

    [Fact]
    public void Project2D_PointsAlongALine_PutTheLineOnTheFirstAxis()
    {
        // Along (1, 1, 0) with a small wobble along (0, 0, 1) that does not correlate with the position on the line.
        var points = Enumerable.Range(0, 20)
            .Select(i => (ReadOnlyMemory<float>)new[] { i, i, i % 4 is 0 or 3 ? 0.1f : -0.1f })
            .ToList();

        var projected = PoolHealthMath.Project2D(points);

        var meanT = 9.5;
        for (var i = 0; i < points.Count; i++)
        {
            Assert.Equal((i - meanT) * Math.Sqrt(2), projected[i].X, 3);
            Assert.Equal(0.1, Math.Abs(projected[i].Y), 3);
        }
    }

    // Two Gaussian clouds in 8 dimensions, the second shifted by separation along every axis.
    private static (List<ReadOnlyMemory<float>> Points, Random Random) Clouds(int perCloud, double separation, int seed)
    {
        var random = new Random(seed);
        var points = new List<ReadOnlyMemory<float>>();
        for (var cloud = 0; cloud < 2; cloud++)
        {
            for (var i = 0; i < perCloud; i++)
            {
                points.Add(Enumerable.Range(0, 8).Select(_ => (float)(Gaussian(random) + (cloud * separation))).ToArray());
            }
        }

        return (points, random);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
