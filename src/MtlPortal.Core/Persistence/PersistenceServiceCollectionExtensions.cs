using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MtlPortal.Auditing;

namespace MtlPortal.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>The database (configured or embedded), its migrations, the EF context, the Data Protection key ring and the audit trail.</summary>
    public static IServiceCollection AddPortalPersistence(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section);
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<PortalDatabase>();
        services.AddHostedService<PortalDatabaseLifetime>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<IDbContextFactory<PortalDbContext>, PortalDbContextFactory>();

        // Only for the libraries that ask for a context of their own (Identity's stores, the Data Protection key
        // ring); the portal's own code uses the factory.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());

        // The key ring in the database: every instance on it reads the others' cookies, and one named application
        // (not the content root, the default) lets instances installed in different folders share it.
        services.AddDataProtection().SetApplicationName("MtlPortal").PersistKeysToDbContext<PortalDbContext>();
        return services;
    }
}
