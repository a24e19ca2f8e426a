using System.Diagnostics;
using System.Net.Http.Headers;

namespace MtlPortal.Bench;

/// <summary>What one load step measured: latencies of the requests that started in the measured window.</summary>
/// <param name="Answered">Every 200 of the step, warm-up included: each one is a line for the portal's search log.</param>
internal sealed record LoadStep(int Concurrency, double Seconds, LatencyStats Latencies, IReadOnlyDictionary<int, int> StatusCounts, int Answered, string? FirstError)
{
    /// <summary>Requests that did not answer 200 (status 0: no answer at all, e.g. a refused connection).</summary>
    public int Errors => StatusCounts.Where(s => s.Key != 200).Sum(s => s.Value);

    public double RequestsPerSecond => Latencies.Count / Seconds;
}

/// <summary>
/// A closed-loop load: <c>C</c> workers, each sending one search and waiting for the whole answer before sending
/// the next, for a warm-up and then a measured window. Each request body is one of a fixed set serialised up
/// front, so the client spends its share of the shared cores on HTTP, not on building JSON.
/// </summary>
/// <remarks>
/// Closed loop means a slow answer delays the worker's next request, so latencies are those of a server running
/// at the throughput it sustains, not of a fixed arrival rate above it (no coordinated-omission correction).
/// </remarks>
internal sealed class SearchLoad(HttpClient client, IReadOnlyList<byte[]> bodies)
{
    private static readonly Uri SearchPath = new("/api/v1/memories/search", UriKind.Relative);

    public async Task<LoadStep> RunAsync(int concurrency, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        long measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        long measureUntil = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency)
            .Select(worker => Task.Run(() => WorkAsync(worker, measureFrom, measureUntil, cancellationToken), cancellationToken))
            .ToArray();
        var results = await Task.WhenAll(workers);

        var latencies = new LatencyStats();
        var statuses = new Dictionary<int, int>();
        foreach (var result in results)
        {
            latencies.AddRange(result.Milliseconds);
            foreach (var (status, count) in result.Statuses)
            {
                statuses[status] = statuses.GetValueOrDefault(status) + count;
            }
        }

        return new LoadStep(
            concurrency, duration.TotalSeconds, latencies, statuses, results.Sum(r => r.Answered), results.Select(r => r.FirstError).FirstOrDefault(e => e is not null));
    }

    private async Task<WorkerResult> WorkAsync(int worker, long measureFrom, long measureUntil, CancellationToken cancellationToken)
    {
        var milliseconds = new List<double>(16_384);
        var statuses = new Dictionary<int, int>();
        string? firstError = null;
        int answered = 0;
        // Each worker walks the bodies from its own offset, so concurrent requests carry different queries.
        int next = worker * 7919;
        long now;
        while ((now = Stopwatch.GetTimestamp()) < measureUntil && !cancellationToken.IsCancellationRequested)
        {
            byte[] body = bodies[next++ % bodies.Count];
            int status;
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, SearchPath) { Content = content };
                // ResponseContentRead: the latency includes reading the whole answer, as an agent would.
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                status = (int)response.StatusCode;
                answered += status == 200 ? 1 : 0;
                if (status != 200 && firstError is null)
                {
                    firstError = $"{status}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
                }
            }
            catch (HttpRequestException e)
            {
                status = 0;
                firstError ??= e.Message;
            }

            if (now >= measureFrom)
            {
                milliseconds.Add(Stopwatch.GetElapsedTime(now).TotalMilliseconds);
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
            }
        }

        return new WorkerResult(milliseconds, statuses, answered, firstError);
    }

    private sealed record WorkerResult(List<double> Milliseconds, Dictionary<int, int> Statuses, int Answered, string? FirstError);
}
