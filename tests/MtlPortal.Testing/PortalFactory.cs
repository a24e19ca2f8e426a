using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Auditing;
using MtlPortal.Users;
using Xunit;

namespace MtlPortal.Testing;

/// <summary>
/// The real portal host on a database of its own (one per test class). With <paramref name="kestrel"/> it
/// listens on a real loopback port, for browser tests; otherwise it runs in memory.
/// </summary>
public class PortalFactory(bool kestrel = false) : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Password = "Correct-Horse-9";

    private string? _connectionString;

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>The address of the Kestrel server (kestrel mode only).</summary>
    public Uri ServerAddress => kestrel
        ? new Uri(ClientOptions.BaseAddress.ToString().TrimEnd('/'))
        : throw new InvalidOperationException("This factory runs in memory; construct it with kestrel: true.");

    public virtual async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        if (kestrel)
        {
            UseKestrel(0);
            StartServer();
        }
        else
        {
            // Build the host now, so its start-up (migrations) runs before the first test.
            _ = Services;
        }
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Portal", ConnectionString);
        builder.UseSetting("Urls", "");
    }

    /// <summary>Creates a user through the same code path the admin pages use, and returns its id.</summary>
    public async Task<string> CreateUserAsync(string email, params string[] roles) =>
        await CreateUserAsync(email, roles, []);

    public async Task<string> CreateUserAsync(string email, IReadOnlyCollection<string> roles, IReadOnlyCollection<string> teams)
    {
        await using var scope = Services.CreateAsyncScope();
        var admin = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var result = await admin.CreateUserAsync(new NewUser(email, Password, null, roles, teams), AuditTrail.CliActor);
        return result.Succeeded
            ? result.Value!.Id
            : throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Message)));
    }
}
