using System.Numerics.Tensors;

namespace MtlPortal.Retrieval;

/// <summary>
/// A query prepared for one search: L2-normalised for the exact re-rank, and quantised to int16 for the first pass,
/// with the constants that turn a row's stored residual into a rigorous bound on its first-pass error.
/// </summary>
/// <remarks>
/// For a row x = s·c + r (s its scale, c its int8 codes, r the residual) and the query q = t·d + e (t its scale,
/// d its int16 codes, e its residual), the exact score q·x differs from the first-pass score s·t·(c·d) by
/// q·r + s·(e·c), which Cauchy–Schwarz bounds by ‖r‖ + ‖e‖·(1 + ‖r‖) since ‖q‖ = 1 and ‖s·c‖ ≤ 1 + ‖r‖.
/// A slack proportional to the dimension covers float rounding in both the first pass and the exact dot product.
/// </remarks>
internal sealed class QueryCode
{
    private QueryCode(float[] normalized, short[] codes, float scale, float residualFactor, float errorOffset)
    {
        Normalized = normalized;
        Codes = codes;
        Scale = scale;
        ResidualFactor = residualFactor;
        ErrorOffset = errorOffset;
    }

    public float[] Normalized { get; }

    /// <summary>The int16 codes, zero-padded to the storage's code stride.</summary>
    public short[] Codes { get; }

    public float Scale { get; }

    /// <summary>A row's error bound is <c>ResidualFactor × storedResidual + ErrorOffset</c>.</summary>
    public float ResidualFactor { get; }

    public float ErrorOffset { get; }

    /// <summary>Prepares a query, or returns <c>null</c> for the zero vector (which has no cosine with anything).</summary>
    public static QueryCode? Create(ReadOnlySpan<float> query, int codeStride)
    {
        float norm = TensorPrimitives.Norm(query);
        if (!float.IsFinite(norm))
        {
            throw new ArgumentException(
                "The query embedding contains NaN or infinite values, or values so large that its norm overflows.",
                nameof(query));
        }

        if (norm == 0)
        {
            return null;
        }

        var normalized = new float[query.Length];
        TensorPrimitives.Divide(query, norm, normalized);

        // The largest code keeps every partial sum of c·d inside int32: |c| ≤ 127 and there are codeStride terms.
        int maxCode = Math.Min(short.MaxValue, int.MaxValue / (127 * codeStride));
        float scale = MathF.Abs(TensorPrimitives.MaxMagnitude(normalized)) / maxCode;
        var codes = new short[codeStride];
        double residual = 0;
        for (int j = 0; j < normalized.Length; j++)
        {
            int code = Math.Clamp((int)MathF.Round(normalized[j] / scale), -maxCode, maxCode);
            codes[j] = (short)code;
            double difference = normalized[j] - ((double)scale * code);
            residual += difference * difference;
        }

        float queryError = MathF.BitIncrement((float)Math.Sqrt(residual));
        // About four times the worst-case relative rounding of a float dot product of this length.
        float slack = (query.Length + 16) * (4f / (1 << 24));
        return new QueryCode(normalized, codes, scale, 1f + queryError + slack, queryError + slack);
    }
}
