using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MtlPortal.Persistence;

/// <summary>
/// The database the portal uses: the server named by <c>ConnectionStrings:Portal</c>, or, when none is
/// configured, an embedded PostgreSQL in <see cref="DatabaseOptions.DataDirectory"/>. Started once by the host
/// (or by an operator command) before anything opens a connection.
/// </summary>
public sealed class PortalDatabase(
    IConfiguration configuration,
    IOptions<DatabaseOptions> options,
    MigrationRunner migrations,
    ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private EmbeddedPostgres? _embedded;
    private string? _connectionString;

    /// <summary>The connection string for EF and Npgsql; only valid once <see cref="StartAsync"/> has run.</summary>
    public string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("The portal database has not been started yet.");

    /// <summary>True when the portal runs its own PostgreSQL.</summary>
    public bool IsEmbedded => _embedded is not null;

    /// <summary>Connects to (or starts) the database and, when <paramref name="migrate"/>, applies pending migrations.</summary>
    public async Task StartAsync(bool migrate, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connectionString is null)
            {
                _connectionString = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName) is { Length: > 0 } configured
                    ? configured
                    : await StartEmbeddedAsync(cancellationToken);
            }

            if (migrate)
            {
                await migrations.ApplyAsync(_connectionString, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StopAsync()
    {
        if (_embedded is { } embedded)
        {
            _embedded = null;
            _connectionString = null;
            await embedded.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _gate.Dispose();
    }

    private async Task<string> StartEmbeddedAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var bin = EmbeddedPostgres.FindBinDirectory(settings.BinDirectory)
            ?? throw new PortalStartupException(EmbeddedPostgres.MissingBinariesMessage(settings.BinDirectory));
        var server = new EmbeddedPostgres(settings.DataDirectory, bin, loggers.CreateLogger<EmbeddedPostgres>());
        await server.StartAsync(cancellationToken);
        try
        {
            await server.EnsureDatabaseAsync(settings.DatabaseName, cancellationToken);
        }
        catch
        {
            await server.StopAsync();
            throw;
        }

        _embedded = server;
        return server.ConnectionString(settings.DatabaseName);
    }
}
