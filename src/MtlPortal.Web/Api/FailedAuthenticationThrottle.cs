using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace MtlPortal.Web.Api;

/// <summary>How many failed API key checks one client address may make. Bound from "Api:FailedAuthentication".</summary>
public sealed class FailedAuthenticationOptions
{
    public const string Section = "Api:FailedAuthentication";

    /// <summary>Failed authentications per address and minute; beyond them the address gets 429 until the minute ends.</summary>
    public int MaxPerMinute { get; set; } = 10;
}

/// <summary>
/// Counts failed API key checks per client address in one-minute windows, so keys cannot be guessed at speed. While
/// an address is over its limit, every key it sends is refused unchecked (checking would answer the guess).
/// </summary>
public sealed class FailedAuthenticationThrottle(IOptions<FailedAuthenticationOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset Since)> _failures = new();

    /// <summary>How long <paramref name="address"/> must wait, or null when it may try.</summary>
    public TimeSpan? RetryAfter(string address)
    {
        var now = clock.GetUtcNow();
        return _failures.TryGetValue(address, out var entry) && entry.Since + Window > now && entry.Failures >= Math.Max(1, options.Value.MaxPerMinute)
            ? entry.Since + Window - now
            : null;
    }

    public void RecordFailure(string address)
    {
        var now = clock.GetUtcNow();
        if (_failures.Count >= MaxTracked)
        {
            foreach (var stale in _failures.Where(f => f.Value.Since + Window <= now).Select(f => f.Key).ToList())
            {
                _failures.TryRemove(stale, out _);
            }
        }

        _failures.AddOrUpdate(address, (1, now), (_, entry) => entry.Since + Window > now ? (entry.Failures + 1, entry.Since) : (1, now));
    }
}
