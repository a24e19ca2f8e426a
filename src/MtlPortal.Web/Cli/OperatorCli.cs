using System.CommandLine;
using MtlPortal.Validation;

namespace MtlPortal.Web.Cli;

/// <summary>
/// The operator CLI: <c>./mtl &lt;command&gt;</c>, or <c>dotnet run --project src/MtlPortal.Web -- &lt;command&gt;</c>.
/// Parsing, help and parse errors come from System.CommandLine; the commands are listed in
/// <see cref="OperatorCommands"/>. Commands print what they did and exit non-zero with a message on bad arguments
/// or a failed write.
/// </summary>
public static class OperatorCli
{
    /// <summary>The exit code of a command line that does not parse, or of a value a command refuses before it starts.</summary>
    public const int UsageError = 2;

    /// <summary>Arguments are taken literally: a FILE may begin with '@' (no response files).</summary>
    internal static readonly ParserConfiguration Parser = new() { ResponseFileTokenReplacer = null };

    /// <summary>
    /// True when the arguments name a command (known or not) or ask for help, rather than starting the web host:
    /// the host's own arguments are switches with their values (<c>--urls http://…</c>) and <c>key=value</c>.
    /// </summary>
    public static bool IsCommand(string[] args)
    {
        var (_, remaining) = ConfigurationOverrides.Split(args);
        for (var i = 0; i < remaining.Length; i++)
        {
            var arg = remaining[i];
            if (arg is "help" or "--help" or "-h" or "-?" or "--version")
            {
                return true;
            }

            if (arg.StartsWith('-'))
            {
                i += arg.Contains('=', StringComparison.Ordinal) ? 0 : 1;
            }
            else if (!arg.Contains('=', StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <param name="args">The command line: the command's name, its options, and any configuration overrides.</param>
    /// <param name="stdout">Where the command reports what it did, and help.</param>
    /// <param name="stderr">Where errors go.</param>
    /// <param name="configure">Extra configuration, applied last (tests point the command at their database).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Action<IConfigurationBuilder>? configure = null)
    {
        if (FirstUnstorable(args) is { } problem)
        {
            await stderr.WriteLineAsync($"error: {problem}");
            return UsageError;
        }

        var (overrides, remaining) = ConfigurationOverrides.Split(args);
        var parsed = OperatorCommands.Build(new CliHost(overrides, configure, stdout, stderr)).Parse(remaining, Parser);
        var exit = await parsed.InvokeAsync(new InvocationConfiguration
        {
            // On a parse error the help that follows the error goes to stderr too: stdout holds only results, which
            // scripts capture (a new key's secret, say).
            Output = parsed.Errors.Count > 0 ? stderr : stdout,
            Error = stderr,
            // The long-running commands (verify, run --wait, worker) handle Ctrl+C themselves and keep what finished.
            ProcessTerminationTimeout = null,
        });
        return parsed.Errors.Count > 0 ? UsageError : exit;
    }

    /// <summary>Text the portal could not store (a NUL, a lone surrogate) is refused before any command starts.</summary>
    private static string? FirstUnstorable(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (TextRules.IndexOfUnstorable(args[i]) is var at and >= 0)
            {
                var option = i > 0 && args[i - 1].StartsWith("--", StringComparison.Ordinal) ? args[i - 1] : "value";
                return $"argument {i} ({option}) contains a NUL character or a broken Unicode character at position {at + 1}.";
            }
        }

        return null;
    }
}
