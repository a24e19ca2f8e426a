using System.Text;
using Microsoft.Extensions.Options;
using MtlPortal.Auditing;
using MtlPortal.Persistence;
using MtlPortal.Users;
using MtlPortal.Web.Hosting;

namespace MtlPortal.Web.Cli;

/// <summary>
/// Operator commands: <c>dotnet run --project src/MtlPortal.Web -- &lt;command&gt;</c> or <c>./mtl &lt;command&gt;</c>.
/// They use the database the portal would use (the configured server, or the embedded one, shared with a running
/// portal), print what they did, and exit non-zero with a message on bad arguments or a failed write.
/// </summary>
public static class OperatorCli
{
    private static readonly IReadOnlyList<CliCommand> Commands =
    [
        new("migrate", "migrate", "Apply pending database migrations.", [], MigrateAsync),
        new("create-user", "create-user --email E --password P --role R [--role R2] [--team T] [--name N]",
            "Create a user with roles (Admin, Reviewer, Contributor, Manager) and, optionally, teams (created when missing).",
            ["email", "password", "role", "team", "name"], CreateUserAsync),
    ];

    /// <summary>True when the arguments name an operator command (or ask for help) rather than starting the web host.</summary>
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && (args[0] is "--help" or "-h" or "help" || Commands.Any(c => c.Name == args[0]));

    /// <param name="args">The command line: the command's name, then its options.</param>
    /// <param name="stdout">Where the command reports what it did.</param>
    /// <param name="stderr">Where errors go.</param>
    /// <param name="configure">Extra configuration, applied last (tests point the command at their database).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Action<IConfigurationBuilder>? configure = null)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            await stdout.WriteAsync(Usage());
            return 0;
        }

        var command = Commands.Single(c => c.Name == args[0]);
        if (args.Skip(1).Any(a => a is "--help" or "-h"))
        {
            await stdout.WriteLineAsync($"usage: mtl {command.Usage}\n  {command.Summary}");
            return 0;
        }

        var (options, error) = CliOptions.Parse(args.AsSpan(1), command.Options);
        if (options is null)
        {
            await stderr.WriteLineAsync($"error: {error}\nusage: mtl {command.Usage}");
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        configure?.Invoke(builder.Configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddPortalServices(builder.Configuration);
        using var host = builder.Build();

        var database = host.Services.GetRequiredService<PortalDatabase>();
        try
        {
            await database.StartAsync(migrate: command.Name != "migrate");
            return await command.RunAsync(new CliContext(host.Services, options, stdout, stderr));
        }
        catch (PortalStartupException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        catch (OptionsValidationException e)
        {
            await stderr.WriteLineAsync($"error: {string.Join(" ", e.Failures)}");
            return 1;
        }
        finally
        {
            await database.StopAsync();
        }
    }

    private static string Usage()
    {
        var text = new StringBuilder("MTL Portal operator commands\n\nusage: mtl <command> [options]   (or: dotnet run --project src/MtlPortal.Web -- <command> [options])\n\n");
        foreach (var command in Commands)
        {
            text.Append($"  {command.Usage}\n      {command.Summary}\n");
        }

        text.Append("\nWith no command, the portal's web server starts. Commands use the database in ConnectionStrings:Portal, or the embedded one.\n");
        return text.ToString();
    }

    private static async Task<int> MigrateAsync(CliContext context)
    {
        var database = context.Services.GetRequiredService<PortalDatabase>();
        var applied = await context.Services.GetRequiredService<MigrationRunner>().ApplyAsync(database.ConnectionString);
        await context.Out.WriteLineAsync(applied.Count == 0
            ? $"The database is up to date ({MigrationRunner.Scripts.Count} migrations applied earlier)."
            : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
        return 0;
    }

    private static async Task<int> CreateUserAsync(CliContext context)
    {
        var missing = new[] { "email", "password", "role" }.Where(o => !context.Options.ContainsKey(o)).ToList();
        if (missing.Count > 0)
        {
            await context.Error.WriteLineAsync($"error: missing {string.Join(", ", missing.Select(m => "--" + m))}\nusage: mtl {Commands[1].Usage}");
            return 2;
        }

        await using var scope = context.Services.CreateAsyncScope();
        var admin = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var request = new NewUser(
            context.Single("email"),
            context.Single("password"),
            context.Options.TryGetValue("name", out var name) ? name[^1] : null,
            context.Options["role"],
            context.Options.TryGetValue("team", out var teams) ? teams : []);
        var result = await admin.CreateUserAsync(request, AuditTrail.CliActor);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                await context.Error.WriteLineAsync(error.Field.Length > 0 ? $"error: {error.Field}: {error.Message}" : $"error: {error.Message}");
            }

            return 1;
        }

        var user = result.Value!;
        var roleText = string.Join(", ", request.Roles.Select(r => PortalRoles.Normalize(r)));
        var teamText = request.TeamNames.Count > 0 ? $" in team(s) {string.Join(", ", request.TeamNames)}" : "";
        await context.Out.WriteLineAsync($"Created user {user.Email} (id {user.Id}) with role(s) {roleText}{teamText}.");
        return 0;
    }

    private sealed record CliCommand(string Name, string Usage, string Summary, IReadOnlyList<string> Options, Func<CliContext, Task<int>> RunAsync);
}

/// <summary>What a command gets: the services, its parsed options (each may repeat), and where to write.</summary>
internal sealed record CliContext(IServiceProvider Services, IReadOnlyDictionary<string, IReadOnlyList<string>> Options, TextWriter Out, TextWriter Error)
{
    public string Single(string option) => Options[option][^1];
}

/// <summary>Parses <c>--name value</c> pairs (and <c>--name=value</c>); every option takes a value and may repeat.</summary>
public static class CliOptions
{
    public static (Dictionary<string, IReadOnlyList<string>>? Options, string? Error) Parse(ReadOnlySpan<string> args, IReadOnlyList<string> known)
    {
        var options = new Dictionary<string, List<string>>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                return (null, $"unexpected argument '{arg}'");
            }

            var name = arg[2..];
            string? value = null;
            if (name.IndexOf('=') is var eq and >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }

            if (!known.Contains(name))
            {
                return (null, $"unknown option '--{name}'");
            }

            if (value is null)
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return (null, $"option '--{name}' needs a value");
                }

                value = args[++i];
            }

            if (!options.TryGetValue(name, out var values))
            {
                options[name] = values = [];
            }

            values.Add(value);
        }

        return (options.ToDictionary(o => o.Key, o => (IReadOnlyList<string>)o.Value), null);
    }
}
