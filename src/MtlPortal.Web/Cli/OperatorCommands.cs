using System.CommandLine;
using System.CommandLine.Help;
using MtlPortal.Web.Cli.Commands;

namespace MtlPortal.Web.Cli;

/// <summary>
/// The command tree. To add a command, write <c>Commands/XxxCommand.cs</c> with a <c>Create(CliHost host)</c> that
/// defines its arguments and handler, and add one line below.
/// </summary>
internal static class OperatorCommands
{
    private const string Description =
        "MTL Portal's operator commands. They use the database the portal would use (ConnectionStrings:Portal, or the "
        + "embedded one, shared with a running portal). Every command also takes configuration overrides, "
        + "--Section:Key VALUE or --Section:Key=VALUE (e.g. --Database:DataDirectory /srv/mtl/pgdata). "
        + "With no command, the portal's web server starts.";

    public static Command Build(CliHost host)
    {
        var root = new Command("mtl", Description) { new HelpOption(), new VersionOption() };
        Command[] commands =
        [
            MigrateCommand.Create(host),
            CreateUserCommand.Create(host),
            ImportMemoriesCommand.Create(host),
            ExportMemoriesCommand.Create(host),
            CreateApiKeyCommand.Create(host),
            ReembedCommand.Create(host),
            ImportBenchmarkCommand.Create(host),
            VerifyReferencesCommand.Create(host),
            RunCommand.Create(host),
            RunStatusCommand.Create(host),
            AddModelCommand.Create(host),
            WorkerCommand.Create(host),
            Generation.GenerationCommands.CreateImport(host),
            Generation.GenerationCommands.CreateGenerate(host),
        ];
        foreach (var command in commands)
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(HelpCommand(root));
        // Reached only without a command (an unknown word is a parse error): help, and a usage error.
        root.SetAction(parsed =>
        {
            new HelpAction().Invoke(parsed);
            return OperatorCli.UsageError;
        });
        return root;
    }

    /// <summary><c>mtl help [command]</c>, as <c>mtl [command] --help</c>.</summary>
    private static Command HelpCommand(Command root)
    {
        var topic = new Argument<string[]>("command") { Arity = ArgumentArity.ZeroOrMore };
        var help = new Command("help", "Show help for mtl or one of its commands.") { Hidden = true };
        help.Arguments.Add(topic);
        help.SetAction(async (parsed, cancellationToken) =>
        {
            var asked = root.Parse([.. parsed.GetValue(topic) ?? [], "--help"], OperatorCli.Parser);
            var exit = await asked.InvokeAsync(parsed.InvocationConfiguration, cancellationToken);
            return asked.Errors.Count > 0 ? OperatorCli.UsageError : exit;
        });
        return help;
    }
}
