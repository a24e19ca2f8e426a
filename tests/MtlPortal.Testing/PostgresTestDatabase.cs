using Xunit;

namespace MtlPortal.Testing;

/// <summary>A class fixture that gives a test class an empty database of its own on the shared test server.</summary>
public sealed class PostgresTestDatabase : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await TestPostgres.CreateDatabaseAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
