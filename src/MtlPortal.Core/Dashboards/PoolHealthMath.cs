using System.Numerics.Tensors;

namespace MtlPortal.Dashboards;

/// <summary>
/// The cluster statistics of the pool-health figures (the paper's Figures 4–5): the Davies–Bouldin index of
/// embeddings grouped by label, the local inverse Simpson's index (LISI) of a labelled neighbourhood, and a 2-D
/// principal-component projection. Pure functions over plain arrays, so they can be checked on constructed data.
/// </summary>
public static class PoolHealthMath
{
    /// <summary>The perplexity of the reference implementation (Korsunsky et al., <c>lisi</c> / harmonypy).</summary>
    public const double Perplexity = 30;

    private const double EntropyTolerance = 1e-5;
    private const int BandwidthSearchSteps = 50;

    /// <summary>
    /// The Davies–Bouldin index (as scikit-learn's <c>davies_bouldin_score</c>): the mean over labels of the worst
    /// ratio (s_i + s_j) / ‖c_i − c_j‖, where s is a label's mean Euclidean distance to its centroid. Small when
    /// labels form tight, separate clusters; large when they overlap. Null with fewer than two labels.
    /// </summary>
    public static double? DaviesBouldin(IReadOnlyList<ReadOnlyMemory<float>> points, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(labels);
        if (points.Count != labels.Count)
        {
            throw new ArgumentException("Every point needs a label.", nameof(labels));
        }

        var groups = Enumerable.Range(0, points.Count).GroupBy(i => labels[i]).Select(g => g.ToList()).ToList();
        if (groups.Count < 2)
        {
            return null;
        }

        var dimensions = points[0].Length;
        var centroids = new float[groups.Count][];
        var scatter = new double[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            var centroid = new float[dimensions];
            foreach (var i in groups[g])
            {
                TensorPrimitives.Add(centroid, points[i].Span, centroid);
            }

            TensorPrimitives.Divide(centroid, groups[g].Count, centroid);
            centroids[g] = centroid;
            scatter[g] = groups[g].Average(i => (double)TensorPrimitives.Distance(points[i].Span, centroid));
        }

        double sum = 0;
        for (var i = 0; i < groups.Count; i++)
        {
            double worst = 0;
            for (var j = 0; j < groups.Count; j++)
            {
                if (i == j)
                {
                    continue;
                }

                var separation = (double)TensorPrimitives.Distance(centroids[i], centroids[j]);
                // Two labels with the same centroid are not separated at all: scikit-learn counts that as 0 too.
                var ratio = separation == 0 ? 0 : (scatter[i] + scatter[j]) / separation;
                worst = Math.Max(worst, ratio);
            }

            sum += worst;
        }

        return sum / groups.Count;
    }

    /// <summary>
    /// The inverse Simpson's index of one point's neighbourhood, as <c>compute_simpson_index</c> of the reference
    /// implementation: Gaussian weights exp(−β·d) over the neighbours' distances, β found by binary search so the
    /// weights' perplexity is <paramref name="perplexity"/>, then 1 / Σ_label (Σ weights of that label)². Ranges
    /// from 1 (every neighbour has one label) to the number of labels (evenly mixed).
    /// </summary>
    /// <param name="distances">Euclidean distances to the neighbours (the point itself left out).</param>
    /// <param name="labels">The neighbours' labels, in the same order.</param>
    /// <param name="perplexity">The target perplexity; the reference uses 30 with 3 × 30 neighbours.</param>
    public static double Lisi(ReadOnlySpan<double> distances, ReadOnlySpan<int> labels, double perplexity = Perplexity)
    {
        if (distances.Length != labels.Length)
        {
            throw new ArgumentException("Every neighbour needs a label.", nameof(labels));
        }

        if (distances.Length == 0)
        {
            return double.NaN;
        }

        var weights = NeighbourWeights(distances, perplexity);
        var byLabel = new Dictionary<int, double>();
        for (var i = 0; i < weights.Length; i++)
        {
            byLabel[labels[i]] = byLabel.GetValueOrDefault(labels[i]) + weights[i];
        }

        var simpson = byLabel.Values.Sum(w => w * w);
        return 1 / simpson;
    }

    /// <summary>
    /// The Gaussian weights of a neighbourhood (summing to 1), with the bandwidth found by binary search so that
    /// their perplexity is <paramref name="perplexity"/>, as the reference implementation does.
    /// </summary>
    public static double[] NeighbourWeights(ReadOnlySpan<double> distances, double perplexity = Perplexity)
    {
        var weights = new double[distances.Length];
        if (distances.Length == 0)
        {
            return weights;
        }

        var target = Math.Log(perplexity);
        double beta = 1, betaMin = double.NegativeInfinity, betaMax = double.PositiveInfinity;
        var entropy = Weigh(distances, beta, weights);
        for (var step = 0; step < BandwidthSearchSteps && Math.Abs(entropy - target) >= EntropyTolerance; step++)
        {
            if (entropy > target)
            {
                betaMin = beta;
                beta = double.IsPositiveInfinity(betaMax) ? beta * 2 : (beta + betaMax) / 2;
            }
            else
            {
                betaMax = beta;
                beta = double.IsNegativeInfinity(betaMin) ? beta / 2 : (beta + betaMin) / 2;
            }

            entropy = Weigh(distances, beta, weights);
        }

        return weights;
    }

    /// <summary>
    /// LISI of every point among <paramref name="points"/> (brute-force k nearest neighbours, k = 3 × perplexity,
    /// the point itself left out). For the pool the service finds neighbours with the retrieval index instead.
    /// </summary>
    public static double[] Lisi(IReadOnlyList<ReadOnlyMemory<float>> points, IReadOnlyList<int> labels, double perplexity = Perplexity)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(labels);
        var k = Math.Min(NeighbourCount(perplexity), points.Count - 1);
        var result = new double[points.Count];
        var all = new (double Distance, int Index)[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            for (var j = 0; j < points.Count; j++)
            {
                all[j] = (j == i ? double.PositiveInfinity : TensorPrimitives.Distance(points[i].Span, points[j].Span), j);
            }

            var nearest = all.OrderBy(n => n.Distance).ThenBy(n => n.Index).Take(k).ToArray();
            result[i] = Lisi(nearest.Select(n => n.Distance).ToArray(), nearest.Select(n => labels[n.Index]).ToArray(), perplexity);
        }

        return result;
    }

    /// <summary>The neighbourhood size of the reference implementation for <paramref name="perplexity"/>: 3 × perplexity.</summary>
    public static int NeighbourCount(double perplexity = Perplexity) => (int)Math.Floor(3 * perplexity);

    /// <summary>
    /// The perplexity used for a group of <paramref name="count"/> points: 30, or less when the group is too small
    /// to give every point 3 × 30 neighbours (the reference implementation refuses such groups).
    /// </summary>
    public static double PerplexityFor(int count) => Math.Max(1, Math.Min(Perplexity, (count - 1) / 3.0));

    /// <summary>
    /// Projects the points on their first two principal components (power iteration with deflation on the centred
    /// data, from a fixed start, so the same pool always draws the same picture). Each axis's sign is chosen so that
    /// its largest coordinate is positive.
    /// </summary>
    public static (double X, double Y)[] Project2D(IReadOnlyList<ReadOnlyMemory<float>> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0)
        {
            return [];
        }

        var n = points.Count;
        var d = points[0].Length;
        var mean = new double[d];
        foreach (var p in points)
        {
            var span = p.Span;
            for (var j = 0; j < d; j++)
            {
                mean[j] += span[j] / (double)n;
            }
        }

        var centred = new double[n][];
        for (var i = 0; i < n; i++)
        {
            var span = points[i].Span;
            centred[i] = new double[d];
            for (var j = 0; j < d; j++)
            {
                centred[i][j] = span[j] - mean[j];
            }
        }

        var first = PrincipalAxis(centred, null);
        var second = first is null ? null : PrincipalAxis(centred, first);
        var result = new (double X, double Y)[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = (first is null ? 0 : Dot(centred[i], first), second is null ? 0 : Dot(centred[i], second));
        }

        if (result.Length > 0)
        {
            var flipX = result.MaxBy(r => Math.Abs(r.X)).X < 0 ? -1 : 1;
            var flipY = result.MaxBy(r => Math.Abs(r.Y)).Y < 0 ? -1 : 1;
            for (var i = 0; i < n; i++)
            {
                result[i] = (result[i].X * flipX, result[i].Y * flipY);
            }
        }

        return result;
    }

    // Returns the weights' entropy H = log Σp + β·Σ(d·p)/Σp and leaves the normalised weights in weights; when every
    // weight underflows the neighbourhood is weighed evenly rather than dropped.
    private static double Weigh(ReadOnlySpan<double> distances, double beta, double[] weights)
    {
        double sum = 0, weighted = 0;
        for (var i = 0; i < distances.Length; i++)
        {
            weights[i] = Math.Exp(-distances[i] * beta);
            sum += weights[i];
            weighted += distances[i] * weights[i];
        }

        if (sum == 0)
        {
            Array.Fill(weights, 1.0 / weights.Length);
            return 0;
        }

        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] /= sum;
        }

        return Math.Log(sum) + (beta * weighted / sum);
    }

    private static double[]? PrincipalAxis(double[][] rows, double[]? orthogonalTo)
    {
        var d = rows[0].Length;
        var axis = new double[d];
        for (var j = 0; j < d; j++)
        {
            // A fixed, non-degenerate start: not orthogonal to any axis in practice.
            axis[j] = 1.0 + (j % 7 * 0.1);
        }

        for (var iteration = 0; iteration < 200; iteration++)
        {
            if (orthogonalTo is not null)
            {
                Subtract(axis, orthogonalTo, Dot(axis, orthogonalTo));
            }

            var norm = Math.Sqrt(Dot(axis, axis));
            if (norm < 1e-12)
            {
                return null;
            }

            for (var j = 0; j < d; j++)
            {
                axis[j] /= norm;
            }

            var next = new double[d];
            foreach (var row in rows)
            {
                var projection = Dot(row, axis);
                for (var j = 0; j < d; j++)
                {
                    next[j] += projection * row[j];
                }
            }

            if (orthogonalTo is not null)
            {
                Subtract(next, orthogonalTo, Dot(next, orthogonalTo));
            }

            var nextNorm = Math.Sqrt(Dot(next, next));
            if (nextNorm < 1e-12)
            {
                return null;
            }

            var change = 0.0;
            for (var j = 0; j < d; j++)
            {
                next[j] /= nextNorm;
                change = Math.Max(change, Math.Abs(next[j] - axis[j]));
            }

            axis = next;
            if (change < 1e-9)
            {
                break;
            }
        }

        return axis;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (var j = 0; j < a.Length; j++)
        {
            sum += a[j] * b[j];
        }

        return sum;
    }

    private static void Subtract(double[] target, double[] direction, double amount)
    {
        for (var j = 0; j < target.Length; j++)
        {
            target[j] -= amount * direction[j];
        }
    }
}
