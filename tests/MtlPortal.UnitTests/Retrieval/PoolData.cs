using MtlPortal.Memories;
using MtlPortal.Retrieval;

namespace MtlPortal.UnitTests.Retrieval;

/// <summary>Seeded synthetic pools and the attributes filter tests vary.</summary>
internal static class PoolData
{
    public static readonly string[] Domains = ["alpha", "Beta", "gamma", "delta"];
    public static readonly string[] Models = ["gpt-4o", "claude-sonnet", "qwen-coder"];
    public static readonly Guid[] Teams = [Guid.Parse("11111111-0000-0000-0000-000000000001"), Guid.Parse("22222222-0000-0000-0000-000000000002"), Guid.Parse("33333333-0000-0000-0000-000000000003")];

    public static float[] Gaussian(Random random, int dimensions, float sigma = 1f)
    {
        var vector = new float[dimensions];
        for (int i = 0; i < dimensions; i += 2)
        {
            // Box–Muller gives two independent normals; 1 - NextDouble() keeps the logarithm's argument in (0, 1].
            double radius = sigma * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            double angle = 2 * Math.PI * random.NextDouble();
            vector[i] = (float)(radius * Math.Cos(angle));
            if (i + 1 < dimensions)
            {
                vector[i + 1] = (float)(radius * Math.Sin(angle));
            }
        }

        return vector;
    }

    /// <summary>Vectors drawn around <paramref name="clusters"/> random centres; small spread gives near-duplicates.</summary>
    public static List<float[]> Clustered(Random random, int count, int dimensions, int clusters, float spread)
    {
        var centres = Enumerable.Range(0, clusters).Select(_ => Gaussian(random, dimensions)).ToArray();
        var vectors = new List<float[]>(count);
        for (int i = 0; i < count; i++)
        {
            vectors.Add(Near(random, centres[random.Next(clusters)], spread));
        }

        return vectors;
    }

    /// <summary>The point plus Gaussian noise of the given spread per dimension.</summary>
    public static float[] Near(Random random, float[] point, float spread)
    {
        float[] vector = Gaussian(random, point.Length, spread);
        for (int j = 0; j < vector.Length; j++)
        {
            vector[j] += point[j];
        }

        return vector;
    }

    /// <summary>
    /// Like <see cref="Clustered"/> but with uniform noise, which is several times cheaper to draw: for pools large
    /// enough that generating Gaussians would dominate a test's run time.
    /// </summary>
    public static List<float[]> ClusteredCheaply(Random random, int count, int dimensions, int clusters, float spread)
    {
        var centres = Enumerable.Range(0, clusters).Select(_ => Gaussian(random, dimensions)).ToArray();
        var vectors = new List<float[]>(count);
        for (int i = 0; i < count; i++)
        {
            float[] centre = centres[random.Next(clusters)];
            var vector = new float[dimensions];
            for (int j = 0; j < dimensions; j++)
            {
                vector[j] = centre[j] + (spread * (random.NextSingle() - 0.5f));
            }

            vectors.Add(vector);
        }

        return vectors;
    }

    public static List<float[]> Uniform(Random random, int count, int dimensions) =>
        Enumerable.Range(0, count).Select(_ => Gaussian(random, dimensions)).ToList();

    public static IndexedMemory Insight(float[] embedding, Guid? id = null) =>
        new(id ?? Guid.NewGuid(), MemoryKind.Insight, "alpha", Teams[0], "gpt-4o", 1.0, embedding);

    /// <summary>Memories whose kind, domain, team, model and abstraction are drawn at random from small sets.</summary>
    public static List<IndexedMemory> WithRandomAttributes(Random random, IEnumerable<float[]> embeddings) =>
        embeddings.Select(embedding => new IndexedMemory(
            NewId(random),
            (MemoryKind)random.Next(4),
            Domains[random.Next(Domains.Length)],
            Teams[random.Next(Teams.Length)],
            Models[random.Next(Models.Length)],
            Math.Round(random.NextDouble(), 2),
            embedding)).ToList();

    public static List<IndexedMemory> Insights(Random random, IEnumerable<float[]> embeddings) =>
        embeddings.Select(embedding => Insight(embedding, NewId(random))).ToList();

    public static Guid NewId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    public static ApprovedPoolIndex IndexOf(IEnumerable<IndexedMemory> memories, int dimensions, int maxDegreeOfParallelism = 0)
    {
        var index = new ApprovedPoolIndex(dimensions, maxDegreeOfParallelism);
        index.ReplaceAll(memories);
        return index;
    }
}
