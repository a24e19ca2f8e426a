using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Auditing;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Users;
using Xunit;

namespace MtlPortal.Testing;

/// <summary>
/// The real portal host on a database of its own (one per test class), in memory. <see cref="KestrelPortalFactory"/>
/// runs it on a real loopback port instead, for browser tests.
/// </summary>
public class PortalFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly bool _kestrel;

    public PortalFactory()
        : this(kestrel: false)
    {
    }

    protected PortalFactory(bool kestrel) => _kestrel = kestrel;

    public const string Password = "Correct-Horse-9";
    public const string AdminEmail = "admin@example.org";

    /// <summary>
    /// The embedder test portals use unless a test is about another: the lexical one, instant and deterministic.
    /// Portals started outside tests default to the local sentence model.
    /// </summary>
    public const string TestEmbeddingProvider = "lexical";

    private string? _connectionString;

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>The address of the Kestrel server (kestrel mode only).</summary>
    public Uri ServerAddress => _kestrel
        ? new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First())
        : throw new InvalidOperationException("This factory runs in memory; construct it with kestrel: true.");

    public virtual async Task InitializeAsync()
    {
        _connectionString ??= await TestPostgres.CreateDatabaseAsync();
        if (_kestrel)
        {
            UseKestrel(0);
            StartServer();
        }
        else
        {
            // Build the host now, so its start-up (migrations) runs before the first test.
            _ = Services;
        }

        if (SeedAdmin)
        {
            AdminId = await CreateUserAsync(AdminEmail, "Admin");
        }
    }

    /// <summary>The <c>Embeddings:Provider</c> to set; null leaves the portal's own default (the local model).</summary>
    protected virtual string? EmbeddingProvider => TestEmbeddingProvider;

    /// <summary>Whether the portal starts with an admin (<see cref="AdminEmail"/>), so first-run setup is closed.</summary>
    protected virtual bool SeedAdmin => true;

    /// <summary>The id of the admin created at start (empty when <see cref="SeedAdmin"/> is false).</summary>
    public string AdminId { get; private set; } = "";

    /// <summary>Runs the portal on an existing database instead of a new one; call before <see cref="InitializeAsync"/>.</summary>
    protected void UseConnectionString(string connectionString) => _connectionString = connectionString;

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Portal", ConnectionString);
        builder.UseSetting("Urls", "");

        // Test portals run in parallel on one PostgreSQL; a job server each (Hangfire's workers and housekeeping
        // hold connections) would crowd it. Tests of runs turn it back on.
        builder.UseSetting("Runner:Enabled", "false");
        if (EmbeddingProvider is { } provider)
        {
            builder.UseSetting("Embeddings:Provider", provider);
        }
    }

    /// <summary>Who <paramref name="userId"/> is to the portal's workflows (roles and teams), as a request would see them.</summary>
    public async Task<Actor> ActorAsync(string userId) =>
        await Services.GetRequiredService<ActorDirectory>().GetAsync(userId) ?? throw new InvalidOperationException($"No actor {userId}.");

    /// <summary>A short-lived database context on this portal's database, as the portal's own code creates them.</summary>
    public async Task<PortalDbContext> DbAsync() =>
        await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    /// <summary>Runs an operator command on this portal's database, as <c>./mtl</c> would, with <see cref="CliSettings"/>.</summary>
    public async Task<(int Exit, string Out, string Error)> CliAsync(params string[] args)
    {
        var settings = CliSettings();
        return await OperatorCommand.RunAsync(c => c.AddInMemoryCollection(settings), args);
    }

    /// <summary>The configuration an operator command gets beside appsettings.json: this portal's database and embedder.</summary>
    protected virtual IDictionary<string, string?> CliSettings()
    {
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Portal"] = ConnectionString };
        if (EmbeddingProvider is { } provider)
        {
            settings["Embeddings:Provider"] = provider;
        }

        return settings;
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

/// <summary>The portal on a real loopback port, for a browser to reach.</summary>
public class KestrelPortalFactory() : PortalFactory(kestrel: true);

/// <summary>A portal as on its first run: no users at all, so first-run setup is open.</summary>
public class FreshPortalFactory : PortalFactory
{
    protected override bool SeedAdmin => false;
}
