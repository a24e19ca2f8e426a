using Microsoft.Extensions.Logging.Abstractions;
using MtlPortal.Persistence;
using Npgsql;

namespace MtlPortal.IntegrationTests.Persistence;

public class MigrationRunnerTests
{
    private static MigrationRunner NewRunner() => new(NullLogger<MigrationRunner>.Instance);

    [Fact]
    public async Task ApplyAsync_SecondRun_AppliesNothingAndKeepsData()
    {
        var database = await TestPostgres.CreateDatabaseAsync();

        var first = await NewRunner().ApplyAsync(database);
        await ExecuteAsync(database, """INSERT INTO "Teams" ("Id", "Name", "CreatedAt") VALUES (gen_random_uuid(), 'kept', now())""");
        var second = await NewRunner().ApplyAsync(database);

        Assert.Equal(MigrationRunner.Scripts.Select(s => s.Id), first);
        Assert.Empty(second);
        Assert.Equal(1L, await ScalarAsync(database, """SELECT count(*) FROM "Teams" WHERE "Name" = 'kept'"""));
        Assert.Equal((long)MigrationRunner.Scripts.Count, await ScalarAsync(database, $"SELECT count(*) FROM {MigrationRunner.HistoryTable}"));
    }

    [Fact]
    public async Task ApplyAsync_InstancesStartingTogether_ApplyEachScriptOnce()
    {
        var database = await TestPostgres.CreateDatabaseAsync();

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => NewRunner().ApplyAsync(database))));

        // Exactly one run applied the scripts; the others waited on the lock and found nothing to do.
        Assert.Single(runs, r => r.Count > 0);
        Assert.Equal(MigrationRunner.Scripts.Count, runs.Sum(r => r.Count));
        Assert.Equal(4L, await ScalarAsync(database, """SELECT count(*) FROM "AspNetRoles" """));
    }

    [Fact]
    public async Task ApplyAsync_ScriptEditedAfterItWasApplied_RefusesWithAClearMessage()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        await NewRunner().ApplyAsync(database);
        await ExecuteAsync(database, $"UPDATE {MigrationRunner.HistoryTable} SET checksum = 'edited' WHERE id = '0001_initial'");

        var error = await Assert.ThrowsAsync<PortalStartupException>(() => NewRunner().ApplyAsync(database));

        Assert.Contains("0001_initial was changed after it was applied", error.Message);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
