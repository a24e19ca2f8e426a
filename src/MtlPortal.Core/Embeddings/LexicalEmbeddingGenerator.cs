using System.Buffers;
using System.Collections.Frozen;
using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;

namespace MtlPortal.Embeddings;

/// <summary>
/// The default embedder: local, offline and deterministic. It is lexical, not semantic: texts are similar when
/// they share words, word pairs and word fragments, so a paraphrase with different vocabulary scores low.
/// </summary>
/// <remarks>
/// <para>Text is lower-cased and split on anything that is not a letter or digit; common English function words
/// are dropped (unless nothing else is left). Three feature families are hashed into one vector with signed
/// hashing: words, adjacent word pairs, and character 3- to 5-grams of each word with boundary marks
/// (<c>&lt;test&gt;</c>), so that <c>test</c>, <c>tests</c> and <c>testing</c> overlap. Each feature weighs
/// 1 + ln(count); each family is scaled so that the similarity of two texts is roughly
/// 0.5 × word similarity + 0.2 × pair similarity + 0.3 × fragment similarity.</para>
/// <para>Hashing is FNV-1a over UTF-16 code units with a 64-bit finaliser, so a text has the same vector in
/// every process and on every machine. Every vector has length 1, so cosine similarity is the dot product.
/// A text with no letters or digits (including the empty text) gets the zero vector: its dot product with
/// anything is 0, so it matches nothing. Use a dot product to compare; a cosine routine that divides by the
/// norms (such as <c>TensorPrimitives.CosineSimilarity</c>) returns NaN for it.</para>
/// <para>Thread-safe: it holds no mutable state.</para>
/// </remarks>
public sealed class LexicalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int DefaultDimensions = 384;

    /// <summary>The provider name in <see cref="EmbeddingGeneratorMetadata"/>.</summary>
    public const string ProviderName = "mtl-lexical";

    // Bump whenever tokenising, features, weights, hashing or stop words change: the model id changes with it,
    // so vectors stored by the previous version are re-embedded instead of being compared with new ones.
    private const int AlgorithmVersion = 1;

    private const float WordShare = 0.5f;
    private const float PairShare = 0.2f;
    private const float FragmentShare = 0.3f;

    private const int MinGram = 3;
    private const int MaxGram = 5;

    // Longer tokens are mostly ids, hashes and base64; their fragments would only add noise and cost.
    private const int MaxFragmentSource = 32;

    // The family sits in the key's two low bits; the sign comes from bit 2 and the bucket from the high 32 bits.
    private const ulong FamilyMask = 3;
    private const ulong WordFamily = 0;
    private const ulong PairFamily = 1;
    private const ulong FragmentFamily = 2;
    private const ulong SignBit = 4;

    private const ulong FnvOffsetBasis = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    // A different start per family, so that the word "est" and the fragment "est" land in unrelated buckets.
    private static readonly ulong WordSeed = Fnv(FnvOffsetBasis, "w");
    private static readonly ulong PairSeed = Fnv(FnvOffsetBasis, "p");
    private static readonly ulong FragmentSeed = Fnv(FnvOffsetBasis, "f");

    private static readonly FrozenSet<string> StopWords = FrozenSet.Create(StringComparer.Ordinal,
    [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as",
        "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could",
        "did", "do", "does", "doing", "done", "down", "during", "each", "either", "else", "etc", "even", "ever",
        "every", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
        "him", "his", "how", "however", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "let", "may",
        "me", "might", "more", "most", "much", "must", "my", "no", "nor", "not", "now", "of", "off", "on", "once",
        "one", "only", "onto", "or", "other", "our", "ours", "out", "over", "own", "per", "same", "shall", "she",
        "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these",
        "they", "this", "those", "through", "thus", "to", "too", "under", "until", "up", "upon", "us", "very",
        "via", "was", "we", "were", "what", "when", "where", "whether", "which", "while", "who", "whom", "whose",
        "why", "will", "with", "within", "without", "would", "yet", "you", "your", "yours",
        // What is left of contractions once the apostrophe splits them ("don't" → "don", "t"; "item's" → "s").
        "aren", "couldn", "d", "didn", "doesn", "don", "hadn", "hasn", "haven", "isn", "ll", "m", "re", "s",
        "shouldn", "t", "ve", "wasn", "weren", "won", "wouldn",
    ]);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> StopWordLookup =
        StopWords.GetAlternateLookup<ReadOnlySpan<char>>();

    private readonly int _dimensions;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <param name="dimensions">The vector length; changing it changes <see cref="ModelInfo"/>.</param>
    public LexicalEmbeddingGenerator(int dimensions = DefaultDimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, EmbeddingOptionsValidator.MinLexicalDimensions);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions, EmbeddingOptionsValidator.MaxLexicalDimensions);
        _dimensions = dimensions;
        ModelInfo = EmbeddingModelInfo.ForLexical(dimensions, AlgorithmVersion);
        _metadata = new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, ModelInfo.ModelId, dimensions);
    }

    /// <summary>The id and vector length stored beside each vector.</summary>
    public EmbeddingModelInfo ModelInfo { get; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        EmbeddingRequests.EnsureCompatible(options, ModelInfo);

        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var text in values)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(values));
            cancellationToken.ThrowIfCancellationRequested();
            result.Add(new Embedding<float>(Embed(text)) { ModelId = ModelInfo.ModelId });
        }

        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        EmbeddingRequests.GetService(this, _metadata, ModelInfo, serviceType, serviceKey);

    public void Dispose()
    {
        // Nothing to release.
    }

    private float[] Embed(string text)
    {
        var vector = new float[_dimensions];
        if (text.Length == 0)
        {
            return vector;
        }

        var rented = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            var lower = rented.AsSpan(0, text.Length);
            text.AsSpan().ToLowerInvariant(lower);
            var tokens = Tokenize(lower);
            if (tokens.Count == 0)
            {
                return vector;
            }

            var counts = CountFeatures(lower, tokens);
            AddToVector(counts, vector);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        EmbeddingRequests.Normalize(vector);
        return vector;
    }

    /// <summary>The content words as (start, length) in <paramref name="text"/>; all words if every one is a stop word.</summary>
    private static List<(int Start, int Length)> Tokenize(ReadOnlySpan<char> text)
    {
        var all = new List<(int Start, int Length)>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                all.Add((start, i - start));
                start = -1;
            }
        }

        var content = new List<(int Start, int Length)>(all.Count);
        foreach (var token in all)
        {
            if (!StopWordLookup.Contains(text.Slice(token.Start, token.Length)))
            {
                content.Add(token);
            }
        }

        // A text made only of stop words ("to be or not to be") still deserves a vector.
        return content.Count > 0 ? content : all;
    }

    private static Dictionary<ulong, int> CountFeatures(ReadOnlySpan<char> text, List<(int Start, int Length)> tokens)
    {
        var counts = new Dictionary<ulong, int>(tokens.Count * 24);
        Span<char> padded = stackalloc char[MaxFragmentSource + 2];
        var previous = ReadOnlySpan<char>.Empty;
        foreach (var (start, length) in tokens)
        {
            var word = text.Slice(start, length);
            Increment(counts, Key(Fnv(WordSeed, word), WordFamily));
            if (!previous.IsEmpty)
            {
                var pair = Fnv(Fnv(Fnv(PairSeed, previous), " "), word);
                Increment(counts, Key(pair, PairFamily));
            }

            previous = word;

            var source = word[..Math.Min(word.Length, MaxFragmentSource)];
            padded[0] = '<';
            source.CopyTo(padded[1..]);
            padded[source.Length + 1] = '>';
            var marked = padded[..(source.Length + 2)];
            for (var n = MinGram; n <= MaxGram && n <= marked.Length; n++)
            {
                for (var i = 0; i + n <= marked.Length; i++)
                {
                    Increment(counts, Key(Fnv(FragmentSeed, marked.Slice(i, n)), FragmentFamily));
                }
            }
        }

        return counts;
    }

    private void AddToVector(Dictionary<ulong, int> counts, float[] vector)
    {
        // Scale each family to its share, so that long texts with many fragments do not drown out whole words.
        Span<float> sumOfSquares = stackalloc float[3];
        foreach (var (key, count) in counts)
        {
            var weight = Weight(count);
            sumOfSquares[(int)(key & FamilyMask)] += weight * weight;
        }

        Span<float> scale = stackalloc float[3];
        scale[(int)WordFamily] = Scale(WordShare, sumOfSquares[(int)WordFamily]);
        scale[(int)PairFamily] = Scale(PairShare, sumOfSquares[(int)PairFamily]);
        scale[(int)FragmentFamily] = Scale(FragmentShare, sumOfSquares[(int)FragmentFamily]);

        foreach (var (key, count) in counts)
        {
            var weight = Weight(count) * scale[(int)(key & FamilyMask)];
            // Lemire's multiply-shift maps the high 32 bits onto [0, dimensions) without a division.
            var bucket = (int)(((key >> 32) * (ulong)_dimensions) >> 32);
            // Signed hashing: colliding features cancel on average instead of piling up.
            vector[bucket] += (key & SignBit) == 0 ? weight : -weight;
        }
    }

    // Sublinear: a word repeated ten times matters more than once, but not ten times more.
    private static float Weight(int count) => 1f + MathF.Log(count);

    private static float Scale(float share, float sumOfSquares) =>
        sumOfSquares > 0 ? MathF.Sqrt(share / sumOfSquares) : 0f;

    private static void Increment(Dictionary<ulong, int> counts, ulong key) =>
        CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _)++;

    private static ulong Key(ulong hash, ulong family) => (Finalise(hash) & ~FamilyMask) | family;

    private static ulong Fnv(ulong hash, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            hash ^= c;
            hash *= FnvPrime;
        }

        return hash;
    }

    // MurmurHash3's fmix64: FNV's high bits mix poorly on short inputs, and the bucket is taken from them.
    private static ulong Finalise(ulong hash)
    {
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }
}
