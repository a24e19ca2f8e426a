using System.Numerics.Tensors;
using MtlPortal.Memories;
using MtlPortal.Retrieval;

namespace MtlPortal.Bench;

/// <summary>
/// A clustered synthetic pool: Gaussian clusters around random centres, L2-normalised, so that near neighbours
/// are close the way related memories are (uniform random vectors would all be nearly orthogonal, which flatters
/// quantisation). Each row also gets one of eight domains at random, so that leaving the query's domain out
/// removes an eighth of every cluster, as leave-one-domain-out does to a real pool.
/// </summary>
internal sealed class SyntheticPool
{
    public const int DomainCount = 8;

    // ‖noise‖ ≈ 0.6 against a unit centre: members sit at cosine ≈ 0.86 to their centre and ≈ 0.74 to each other.
    private const float NoiseNorm = 0.6f;

    private readonly float[][] _centres;

    private SyntheticPool(int count, int dimensions, float[] vectors, int[] domains, Guid[] ids, float[][] centres)
    {
        Count = count;
        Dimensions = dimensions;
        Vectors = vectors;
        Domains = domains;
        Ids = ids;
        _centres = centres;
    }

    public int Count { get; }

    public int Dimensions { get; }

    /// <summary>Normalised rows, row-major.</summary>
    public float[] Vectors { get; }

    public int[] Domains { get; }

    public Guid[] Ids { get; }

    public static string DomainName(int domain) => $"domain-{domain}";

    public static SyntheticPool Generate(int count, int dimensions, int seed)
    {
        int clusterCount = Math.Clamp(count / 100, 10, 10_000);
        var random = new Random(seed);
        var centres = new float[clusterCount][];
        for (int c = 0; c < clusterCount; c++)
        {
            centres[c] = new float[dimensions];
            FillGaussian(random, centres[c], 1f);
            TensorPrimitives.Divide(centres[c], TensorPrimitives.Norm(centres[c]), centres[c]);
        }

        var vectors = new float[(long)count * dimensions];
        var domains = new int[count];
        var ids = new Guid[count];
        const int RowsPerChunk = 4096;
        // One seeded generator per chunk keeps the data identical whatever the thread scheduling.
        Parallel.For(0, (count + RowsPerChunk - 1) / RowsPerChunk, chunk =>
        {
            var chunkRandom = new Random(HashCode.Combine(seed, chunk));
            Span<byte> idBytes = stackalloc byte[16];
            int end = Math.Min(count, (chunk + 1) * RowsPerChunk);
            for (int row = chunk * RowsPerChunk; row < end; row++)
            {
                Span<float> vector = vectors.AsSpan(row * dimensions, dimensions);
                Near(chunkRandom, centres[chunkRandom.Next(clusterCount)], vector);
                domains[row] = chunkRandom.Next(DomainCount);
                chunkRandom.NextBytes(idBytes);
                ids[row] = new Guid(idBytes);
            }
        });

        return new SyntheticPool(count, dimensions, vectors, domains, ids, centres);
    }

    /// <summary>A normalised query near a random cluster, and a domain to leave out.</summary>
    public (float[] Query, int ExcludedDomain) NewQuery(Random random)
    {
        var query = new float[Dimensions];
        Near(random, _centres[random.Next(_centres.Length)], query);
        return (query, random.Next(DomainCount));
    }

    public IEnumerable<IndexedMemory> AsMemories()
    {
        for (int row = 0; row < Count; row++)
        {
            yield return Memory(row, Ids[row]);
        }
    }

    public IndexedMemory Memory(int row, Guid id) => new(
        id,
        MemoryKind.Insight,
        DomainName(Domains[row]),
        Guid.Empty,
        "bench-model",
        1.0,
        new ReadOnlyMemory<float>(Vectors, row * Dimensions, Dimensions));

    private static void Near(Random random, float[] centre, Span<float> destination)
    {
        FillGaussian(random, destination, NoiseNorm / MathF.Sqrt(centre.Length));
        TensorPrimitives.Add(destination, centre, destination);
        TensorPrimitives.Divide(destination, TensorPrimitives.Norm(destination), destination);
    }

    private static void FillGaussian(Random random, Span<float> destination, float sigma)
    {
        for (int i = 0; i < destination.Length; i += 2)
        {
            // Box–Muller: two independent normals per pair of uniforms.
            float radius = sigma * MathF.Sqrt(-2f * MathF.Log(1f - random.NextSingle()));
            (float sin, float cos) = MathF.SinCos(2f * MathF.PI * random.NextSingle());
            destination[i] = radius * cos;
            if (i + 1 < destination.Length)
            {
                destination[i + 1] = radius * sin;
            }
        }
    }
}
