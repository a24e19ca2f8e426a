using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MtlPortal.Persistence;

/// <summary>Starts the database before any other hosted service and stops it after all of them.</summary>
internal sealed class PortalDatabaseLifetime(PortalDatabase database, IOptions<DatabaseOptions> options) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => database.StartAsync(options.Value.MigrateOnStartup, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => database.StopAsync();
}
