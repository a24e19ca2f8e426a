using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MtlPortal.Auditing;

namespace MtlPortal.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>The database (configured or embedded), its migrations, the EF context and the audit trail.</summary>
    public static IServiceCollection AddPortalPersistence(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section);
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<PortalDatabase>();
        services.AddHostedService<PortalDatabaseLifetime>();
        services.AddSingleton<AuditTrail>();
        services.AddDbContextFactory<PortalDbContext>((sp, db) => db.UseNpgsql(sp.GetRequiredService<PortalDatabase>().ConnectionString));
        return services;
    }
}
