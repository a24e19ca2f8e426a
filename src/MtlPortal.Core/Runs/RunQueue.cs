using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtlPortal.Persistence;

namespace MtlPortal.Runs;

/// <summary>
/// Runs' work as Hangfire jobs (one per task of a run) in the portal's own database, schema <c>hangfire</c>, so the
/// portal and any number of <c>./mtl worker</c> processes share it. Hangfire's static configuration is not used:
/// each host has its own storage and client, so several hosts in one process (tests) do not mix their databases.
/// </summary>
public sealed class RunQueue(PortalDatabase database, IOptions<RunnerOptions> options)
{
    public const string Schema = "hangfire";

    private readonly Lazy<JobStorage> _storage = new(() => CreateStorage(database.ConnectionString, options.Value));

    /// <summary>Created on first use: the database (maybe embedded) is started by then.</summary>
    public JobStorage Storage => _storage.Value;

    public void EnqueueTasks(Guid runId, IEnumerable<Guid> taskIds)
    {
        var client = new BackgroundJobClient(Storage);
        foreach (var taskId in taskIds)
        {
            client.Enqueue<RunTaskJob>(job => job.ExecuteAsync(runId, taskId, CancellationToken.None));
        }
    }

    private static PostgreSqlStorage CreateStorage(string connectionString, RunnerOptions runner)
    {
        // A pool of its own, bounded: Hangfire's workers and housekeeping poll, and the connections they leave idle
        // would otherwise count against the server's max_connections for minutes.
        var bounded = new Npgsql.NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = Math.Max(1, runner.WorkerCount) + 10,
            ConnectionIdleLifetime = 10,
            ApplicationName = "mtl-runner",
        };
        var options = StorageOptions(runner);
        return new(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(bounded.ConnectionString, options), options);
    }

    private static PostgreSqlStorageOptions StorageOptions(RunnerOptions runner) => new()
    {
        SchemaName = Schema,
        PrepareSchemaIfNecessary = true,
        QueuePollInterval = TimeSpan.FromSeconds(Math.Max(0.05, runner.PollSeconds)),
        InvisibilityTimeout = TimeSpan.FromSeconds(Math.Max(5, runner.TakeOverSeconds)),
        UseSlidingInvisibilityTimeout = true,
    };
}

/// <summary>This process's Hangfire server: takes queued tasks of runs and works on them until the host stops.</summary>
internal sealed class RunWorkerService(RunQueue queue, IServiceScopeFactory scopes, IServiceProvider services, IOptions<RunnerOptions> options) : IHostedService, IAsyncDisposable
{
    private BackgroundJobServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var runner = options.Value;
        if (runner.Enabled)
        {
            _server = new BackgroundJobServer(
                new BackgroundJobServerOptions
                {
                    WorkerCount = Math.Max(1, runner.WorkerCount),
                    Activator = new Hangfire.AspNetCore.AspNetCoreJobActivator(scopes),
                    ServerName = $"{Environment.MachineName}:{Environment.ProcessId}",
                    ShutdownTimeout = TimeSpan.FromSeconds(15),
                    // Retried tasks wait in the scheduled set; it is looked at often enough that the delay holds.
                    SchedulePollingInterval = TimeSpan.FromSeconds(Math.Clamp(runner.RetryDelaySeconds / 2.0, Math.Max(0.05, runner.PollSeconds), 15)),
                    FilterProvider = Filters(runner),
                },
                queue.Storage);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// This server's own filters rather than Hangfire's global ones (see the class above): a bounded number of retries,
    /// then the run is marked failed, so a task that can never succeed does not leave its run running for ever.
    /// </summary>
    private JobFilterProviderCollection Filters(RunnerOptions runner)
    {
        var filters = new JobFilterCollection();
        filters.Add(new AutomaticRetryAttribute
        {
            Attempts = Math.Max(0, runner.JobRetries),
            DelaysInSeconds = [Math.Max(0, runner.RetryDelaySeconds)],
            OnAttemptsExceeded = AttemptsExceededAction.Fail,
            LogEvents = true,
        });
        // Resolved on start, as ModelConnectionSeeding does: the database factory needs the started database.
        filters.Add(services.GetRequiredService<RunFailures>());
        return new JobFilterProviderCollection(filters, new JobFilterAttributeFilterProvider());
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // Tasks in progress see their token cancelled and go back to the queue, where the next process to start
        // finds them; attempts they recorded stay recorded.
        _server?.SendStop();
        return _server?.WaitForShutdownAsync(cancellationToken) ?? Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        _server = null;
        return ValueTask.CompletedTask;
    }
}
