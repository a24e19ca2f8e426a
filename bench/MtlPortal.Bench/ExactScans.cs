using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace MtlPortal.Bench;

/// <summary>
/// The baselines: brute-force exact scans over the same normalised rows and the same domain filter as the index.
/// </summary>
internal static class ExactScans
{
    /// <summary>A plain scalar loop, the way one would first write it.</summary>
    // Optimised from the first call, so that the few timed calls of a slow baseline never run tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[] Scalar(SyntheticPool pool, float[] query, int excludedDomain, int k)
    {
        var top = new TopRows(k);
        float[] vectors = pool.Vectors;
        int dimensions = pool.Dimensions;
        for (int row = 0; row < pool.Count; row++)
        {
            if (pool.Domains[row] == excludedDomain)
            {
                continue;
            }

            float dot = 0;
            int offset = row * dimensions;
            for (int j = 0; j < dimensions; j++)
            {
                dot += query[j] * vectors[offset + j];
            }

            top.Offer(row, dot);
        }

        return top.Rows();
    }

    /// <summary>Float SIMD: TensorPrimitives.Dot per row, still reading every float of the pool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[] Simd(SyntheticPool pool, float[] query, int excludedDomain, int k)
    {
        var top = new TopRows(k);
        float[] vectors = pool.Vectors;
        int dimensions = pool.Dimensions;
        for (int row = 0; row < pool.Count; row++)
        {
            if (pool.Domains[row] != excludedDomain)
            {
                top.Offer(row, TensorPrimitives.Dot(query, vectors.AsSpan(row * dimensions, dimensions)));
            }
        }

        return top.Rows();
    }

    /// <summary>The k best rows by insertion into a sorted array (k is small).</summary>
    private sealed class TopRows(int k)
    {
        private readonly int[] _rows = new int[k];
        private readonly float[] _scores = new float[k];
        private int _count;

        public void Offer(int row, float score)
        {
            if (_count == k && score <= _scores[k - 1])
            {
                return;
            }

            int i = _count == k ? k - 1 : _count++;
            while (i > 0 && _scores[i - 1] < score)
            {
                _rows[i] = _rows[i - 1];
                _scores[i] = _scores[i - 1];
                i--;
            }

            _rows[i] = row;
            _scores[i] = score;
        }

        public int[] Rows() => _rows[.._count];
    }
}
