using Microsoft.Extensions.Diagnostics.HealthChecks;
using MtlPortal.Agents;

namespace MtlPortal.Web.Hosting;

/// <summary>
/// Degraded while the search log cannot be written (searches are still served, but feedback on them waits); the
/// counters of what was written and what was lost travel in the result's data.
/// </summary>
internal sealed class SearchLogHealthCheck(RetrievalLog log) : IHealthCheck
{
    public const string Name = "search-log";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = log.Status;
        var data = new Dictionary<string, object>
        {
            ["queued"] = status.Queued,
            ["written"] = status.Written,
            ["rejected"] = status.Rejected,
            ["dropped"] = status.Dropped,
        };
        return Task.FromResult(status.WaitingForDatabase
            ? HealthCheckResult.Degraded($"The search log waits for the database ({status.Queued} searches queued): {status.LastFailure}", data: data)
            : HealthCheckResult.Healthy(status.Lost > 0 ? $"{status.Lost} searches could not be written to the search log since the portal started." : null, data: data));
    }
}
