using System.CommandLine;
using MtlPortal.Persistence;

namespace MtlPortal.Web.Cli.Commands;

/// <summary><c>mtl migrate</c>: applies pending database migrations.</summary>
internal static class MigrateCommand
{
    public static Command Create(CliHost host)
    {
        var command = new Command("migrate", "Apply pending database migrations.");
        host.SetHandler(command, (_, context) => RunAsync(context), migrate: false);
        return command;
    }

    private static async Task<int> RunAsync(CliContext context)
    {
        var database = context.Services.GetRequiredService<PortalDatabase>();
        var applied = await context.Services.GetRequiredService<MigrationRunner>().ApplyAsync(database.ConnectionString);
        await context.Out.WriteLineAsync(applied.Count == 0
            ? $"The database is up to date ({MigrationRunner.Scripts.Count} migrations applied earlier)."
            : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
        return 0;
    }
}
