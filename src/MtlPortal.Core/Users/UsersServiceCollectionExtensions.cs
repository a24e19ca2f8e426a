using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Persistence;

namespace MtlPortal.Users;

public static class UsersServiceCollectionExtensions
{
    /// <summary>Identity's user and role stores on the portal database, its rules, and <see cref="UserAdministration"/>.</summary>
    public static IdentityBuilder AddPortalUsers(this IServiceCollection services)
    {
        services.AddScoped<UserChanges>();
        services.AddSingleton<UserAdministration>();
        return services.AddIdentityCore<PortalUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 8;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>();
    }
}
