using System.Diagnostics;
using System.Net.Http.Headers;

namespace MtlPortal.Bench;

/// <summary>What one load step measured: latencies of the requests that started (or were due) in the measured window.</summary>
/// <param name="Concurrency">Closed loop: the workers. Open loop: the most requests that were in flight at once.</param>
/// <param name="Rate">Open loop: the arrival rate asked for, per second; null for a closed loop.</param>
/// <param name="Answered">Every 200 of the step, warm-up included: each one is a line for the portal's search log.</param>
internal sealed record LoadStep(
    int Concurrency, double? Rate, double Seconds, LatencyStats Latencies, IReadOnlyDictionary<int, int> StatusCounts, int Answered, string? FirstError)
{
    /// <summary>Requests that did not answer 200 (status 0: no answer at all, e.g. a refused connection; -1: not sent, too many in flight).</summary>
    public int Errors => StatusCounts.Where(s => s.Key != 200).Sum(s => s.Value);

    public double RequestsPerSecond => Latencies.Count / Seconds;

    /// <summary>Open loop: how late each search was sent after it fell due (client side; part of its latency).</summary>
    public LatencyStats? DispatchDelays { get; init; }
}

/// <summary>
/// Sends searches to the portal: each request body is one of a fixed set serialised up front, so the client spends
/// its share of the shared cores on HTTP, not on building JSON. Two shapes of load:
/// <list type="bullet">
/// <item>a <b>closed loop</b>: <c>C</c> workers, each sending one search and waiting for the whole answer before
/// sending the next. A slow answer delays the worker's next request, so latencies are those of a server running at
/// the throughput it sustains (no coordinated-omission correction); it finds the saturation point.</item>
/// <item>an <b>open loop</b>: searches due at a fixed rate whatever the answers do, each timed from when it was due,
/// so a stall delays every request due during it and shows in the percentiles, as it would for agents arriving
/// independently. It answers "what is p99 at 1,500 searches/s" directly.</item>
/// </list>
/// </summary>
internal sealed class SearchLoad(HttpClient client, IReadOnlyList<byte[]> bodies)
{
    // More in flight than this means the portal has fallen far behind: the open loop counts further requests as
    // not sent (status -1) rather than opening ever more connections.
    private const int MaxInFlight = 512;

    private static readonly Uri SearchPath = new("/api/v1/memories/search", UriKind.Relative);

    public async Task<LoadStep> RunAsync(int concurrency, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        long measureFrom = start + Ticks(warmup);
        long measureUntil = measureFrom + Ticks(duration);
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
            concurrency, null, duration.TotalSeconds, latencies, statuses, results.Sum(r => r.Answered), results.Select(r => r.FirstError).FirstOrDefault(e => e is not null));
    }

    /// <summary>
    /// Searches due at <paramref name="perSecond"/> for the warm-up and the measured window. A dispatcher thread wakes
    /// every ~1.1 ms (Thread.Sleep(1); Task.Delay's timer ticks every ~4 ms here) and hands each search that has
    /// fallen due to the thread pool; how late each one actually started counts in its latency, and is reported.
    /// </summary>
    public async Task<LoadStep> RunAtRateAsync(double perSecond, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        long measureFrom = start + Ticks(warmup);
        long measureUntil = measureFrom + Ticks(duration);
        int total = (int)Math.Ceiling(perSecond * (warmup + duration).TotalSeconds);
        double interval = Stopwatch.Frequency / perSecond;
        var due = new long[total];
        var lateBy = new double[total];
        var took = new double[total];
        var status = new int[total];
        var sends = new List<Task>(total);
        string? firstError = null;
        int inFlight = 0, peak = 0;

        async Task SendDueAsync(int i)
        {
            lateBy[i] = Stopwatch.GetElapsedTime(due[i]).TotalMilliseconds;
            (status[i], string? error) = await SendAsync(bodies[i % bodies.Count], cancellationToken);
            took[i] = Stopwatch.GetElapsedTime(due[i]).TotalMilliseconds;
            Interlocked.Decrement(ref inFlight);
            if (error is not null)
            {
                Interlocked.CompareExchange(ref firstError, error, null);
            }
        }

        int Dispatch()
        {
            int next = 0;
            while (next < total && !cancellationToken.IsCancellationRequested)
            {
                long now = Stopwatch.GetTimestamp();
                for (; next < total && start + (long)(next * interval) <= now; next++)
                {
                    due[next] = start + (long)(next * interval);
                    if (Volatile.Read(ref inFlight) >= MaxInFlight)
                    {
                        status[next] = -1;
                        continue;
                    }

                    peak = Math.Max(peak, Interlocked.Increment(ref inFlight));
                    int i = next;
                    sends.Add(Task.Run(() => SendDueAsync(i), cancellationToken));
                }

                Thread.Sleep(1);
            }

            return next;
        }

        int dispatched = await Task.Factory.StartNew(Dispatch, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Task.WhenAll(sends);
        cancellationToken.ThrowIfCancellationRequested();
        var measured = new List<double>(total);
        var late = new List<double>(total);
        var statuses = new Dictionary<int, int>();
        for (int i = 0; i < dispatched; i++)
        {
            if (due[i] >= measureFrom && due[i] < measureUntil)
            {
                if (status[i] != -1)
                {
                    measured.Add(took[i]);
                    late.Add(lateBy[i]);
                }

                statuses[status[i]] = statuses.GetValueOrDefault(status[i]) + 1;
            }
        }

        var latencies = new LatencyStats();
        latencies.AddRange(measured);
        var dispatchDelays = new LatencyStats();
        dispatchDelays.AddRange(late);
        return new LoadStep(peak, perSecond, duration.TotalSeconds, latencies, statuses, status.Count(s => s == 200), firstError) { DispatchDelays = dispatchDelays };
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
            var (status, error) = await SendAsync(bodies[next++ % bodies.Count], cancellationToken);
            answered += status == 200 ? 1 : 0;
            firstError ??= error;
            if (now >= measureFrom)
            {
                milliseconds.Add(Stopwatch.GetElapsedTime(now).TotalMilliseconds);
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
            }
        }

        return new WorkerResult(milliseconds, statuses, answered, firstError);
    }

    /// <summary>One search; its status (0 when no answer came) and, when it failed, what went wrong.</summary>
    private async Task<(int Status, string? Error)> SendAsync(byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, SearchPath) { Content = content };
            // ResponseContentRead: the latency includes reading the whole answer, as an agent would.
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            int status = (int)response.StatusCode;
            return status == 200 ? (status, null) : (status, $"{status}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        catch (HttpRequestException e)
        {
            return (0, e.Message);
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private sealed record WorkerResult(List<double> Milliseconds, Dictionary<int, int> Statuses, int Answered, string? FirstError);
}
