using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using MtlPortal.Persistence;
using Npgsql;

namespace MtlPortal.IntegrationTests.Persistence;

/// <summary>The schema that migrations/*.sql builds must be exactly the one the EF model expects.</summary>
public class SchemaDriftTests
{
    [Fact]
    public async Task MigrationScripts_BuildTheSchemaOfTheEfModel()
    {
        var fromScripts = await TestPostgres.CreateDatabaseAsync("scripts");
        await new MigrationRunner(NullLogger<MigrationRunner>.Instance).ApplyAsync(fromScripts);

        var fromModel = await TestPostgres.CreateDatabaseAsync("model");
        await using (var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseNpgsql(fromModel).Options))
        {
            await db.Database.EnsureCreatedAsync();
        }

        var scripts = await DescribeSchemaAsync(fromScripts);
        var model = await DescribeSchemaAsync(fromModel);

        var missing = model.Except(scripts).ToList();
        var extra = scripts.Except(model).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            "The migration scripts and the EF model disagree. Add a migration script for the model change.\n" +
            $"In the model, not built by the scripts:\n  {string.Join("\n  ", missing)}\n" +
            $"Built by the scripts, not in the model:\n  {string.Join("\n  ", extra)}");
        Assert.Contains(scripts, s => s.StartsWith("column AspNetUsers.IsDisabled", StringComparison.Ordinal));
    }

    /// <summary>Tables, columns (type, length, nullability, identity, default), constraints (keys, foreign keys) and indexes.</summary>
    private static async Task<SortedSet<string>> DescribeSchemaAsync(string connectionString)
    {
        var facts = new SortedSet<string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        async Task ReadAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                facts.Add(reader.GetString(0));
            }
        }

        await ReadAsync($"""
            SELECT 'column ' || table_name || '.' || column_name || ' ' || udt_name
                   || coalesce('(' || character_maximum_length || ')', '')
                   || CASE WHEN is_nullable = 'YES' THEN ' null' ELSE ' not null' END
                   || CASE WHEN is_identity = 'YES' THEN ' identity ' || identity_generation ELSE '' END
                   || coalesce(' default ' || column_default, '')
            FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name <> '{MigrationRunner.HistoryTable}'
            """);
        await ReadAsync($"""
            SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '{MigrationRunner.HistoryTable}'
            """);
        await ReadAsync($"""
            SELECT 'index ' || indexdef FROM pg_indexes
            WHERE schemaname = 'public' AND tablename <> '{MigrationRunner.HistoryTable}'
            """);
        return facts;
    }
}
