using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace MtlPortal.Persistence;

/// <summary>
/// The one way to reach the database: a short-lived context per operation. The connection string is read once,
/// when the first context is made, not when the factory is: hosted services receive the factory before
/// <see cref="PortalDatabaseLifetime"/> has started the database, and an embedded database has no connection
/// string until then.
/// </summary>
internal sealed class PortalDbContextFactory(PortalDatabase database, ILoggerFactory loggers) : IDbContextFactory<PortalDbContext>
{
    private DbContextOptions<PortalDbContext>? _options;

    public PortalDbContext CreateDbContext() =>
        new(_options ??= new DbContextOptionsBuilder<PortalDbContext>().UseNpgsql(database.ConnectionString).UseLoggerFactory(loggers).Options);
}
