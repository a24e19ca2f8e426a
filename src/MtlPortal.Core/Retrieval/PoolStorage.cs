using System.Numerics.Tensors;

namespace MtlPortal.Retrieval;

/// <summary>
/// The rows of the pool in flat, preallocated arrays: L2-normalised embeddings in one contiguous row-major
/// <c>float[]</c>, their int8 codes (one scale per row) for the first pass, and the attributes filters read.
/// </summary>
/// <remarks>
/// Rows are append-only: the writer fills row <see cref="Count"/> and only then publishes a snapshot that includes
/// it, so a search never reads a row that is being written, and a written row never changes except for its
/// removal stamp (see <see cref="PoolSnapshot"/>); compaction copies the live rows into a new storage.
/// <para>
/// Codes are scaled per row (max |x| maps to 127) rather than per dimension: a row's codes then depend on nothing
/// but the row, so an upsert never invalidates the quantisation of the rest of the pool. Each row also stores the
/// L2 norm of its quantisation residual, which bounds the first-pass error rigorously (see
/// <see cref="ApprovedPoolIndex"/>), so the choice of scale affects only how many rows are re-ranked, never which
/// rows are returned.
/// </para>
/// </remarks>
internal sealed class PoolStorage
{
    public PoolStorage(int dimensions, int capacity, AttributeCatalog catalog)
    {
        Dimensions = dimensions;
        CodeStride = (dimensions + QuantizedDot.Alignment - 1) / QuantizedDot.Alignment * QuantizedDot.Alignment;
        if ((long)capacity * CodeStride > Array.MaxLength)
        {
            throw new InvalidOperationException(
                $"A pool of {capacity:N0} memories of {dimensions} dimensions does not fit in one array; "
                + "the index supports at most about two billion embedding values.");
        }

        Capacity = capacity;
        Catalog = catalog;
        Vectors = new float[capacity * dimensions];
        Codes = new sbyte[capacity * CodeStride];
        CodeScales = new float[capacity];
        CodeErrors = new float[capacity];
        Attributes = new RowAttributes[capacity];
        Ids = new Guid[capacity];
        RemovedAt = new int[capacity];
        Array.Fill(RemovedAt, NotRemoved);
    }

    /// <summary>The removal stamp of a row that is in the pool.</summary>
    public const int NotRemoved = int.MaxValue;

    public int Dimensions { get; }

    /// <summary>Row length of <see cref="Codes"/>: the dimensions rounded up to the SIMD kernel's alignment (zero-padded).</summary>
    public int CodeStride { get; }

    public int Capacity { get; }

    public AttributeCatalog Catalog { get; }

    /// <summary>Rows written so far. Writer-only; searches use the row count published in their snapshot.</summary>
    public int Count { get; set; }

    /// <summary>The latest removal stamp handed out. Writer-only; searches use the version in their snapshot.</summary>
    public int Version { get; set; }

    public float[] Vectors { get; }

    public sbyte[] Codes { get; }

    /// <summary>Per row: the value of one code step, so that row ≈ scale × codes.</summary>
    public float[] CodeScales { get; }

    /// <summary>Per row: an upper bound on ‖row − scale × codes‖₂.</summary>
    public float[] CodeErrors { get; }

    public RowAttributes[] Attributes { get; }

    public Guid[] Ids { get; }

    /// <summary>Per row: the version at which it was removed or replaced, or <see cref="NotRemoved"/>.</summary>
    public int[] RemovedAt { get; }

    /// <summary>Why an embedding cannot be indexed, or <c>null</c> if it can.</summary>
    public static string? FindProblem(ReadOnlySpan<float> embedding)
    {
        float norm = TensorPrimitives.Norm(embedding);
        if (!float.IsFinite(norm))
        {
            return "its embedding contains NaN or infinite values, or values so large that its norm overflows";
        }

        return norm == 0 ? "its embedding is all zeros, so it has no direction to compare" : null;
    }

    /// <summary>Writes a row. The embedding must have passed <see cref="FindProblem"/>.</summary>
    public void Write(int row, Guid id, RowAttributes attributes, ReadOnlySpan<float> embedding)
    {
        Ids[row] = id;
        Attributes[row] = attributes;
        WriteEmbedding(row, embedding);
    }

    /// <summary>Writes a row's embedding and codes, leaving id and attributes to <see cref="WriteIdentity"/>.</summary>
    public void WriteEmbedding(int row, ReadOnlySpan<float> embedding)
    {
        Span<float> vector = Vectors.AsSpan(row * Dimensions, Dimensions);
        TensorPrimitives.Divide(embedding, TensorPrimitives.Norm(embedding), vector);

        float scale = MathF.Abs(TensorPrimitives.MaxMagnitude(vector)) / 127f;
        Span<sbyte> codes = Codes.AsSpan(row * CodeStride, Dimensions);
        double residual = 0;
        for (int j = 0; j < vector.Length; j++)
        {
            int code = Math.Clamp((int)MathF.Round(vector[j] / scale), -127, 127);
            codes[j] = (sbyte)code;
            double difference = vector[j] - ((double)scale * code);
            residual += difference * difference;
        }

        CodeScales[row] = scale;
        // Rounded up, so the stored value stays an upper bound after the conversion to float.
        CodeErrors[row] = MathF.BitIncrement((float)Math.Sqrt(residual));
    }

    public void WriteIdentity(int row, Guid id, RowAttributes attributes)
    {
        Ids[row] = id;
        Attributes[row] = attributes;
    }

    public void CopyRow(PoolStorage source, int sourceRow, int row)
    {
        source.Vectors.AsSpan(sourceRow * Dimensions, Dimensions).CopyTo(Vectors.AsSpan(row * Dimensions));
        source.Codes.AsSpan(sourceRow * CodeStride, CodeStride).CopyTo(Codes.AsSpan(row * CodeStride));
        CodeScales[row] = source.CodeScales[sourceRow];
        CodeErrors[row] = source.CodeErrors[sourceRow];
        Attributes[row] = source.Attributes[sourceRow];
        Ids[row] = source.Ids[sourceRow];
    }
}
