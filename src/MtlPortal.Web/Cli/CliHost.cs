using System.CommandLine;
using Microsoft.Extensions.Options;
using MtlPortal.Persistence;
using MtlPortal.Web.Hosting;

namespace MtlPortal.Web.Cli;

/// <summary>
/// Runs a command's handler with the portal's services, on the database the portal would use (the configured server,
/// or the embedded one, shared with a running portal), started for the command and stopped after it.
/// </summary>
/// <param name="configurationOverrides">The command line's <c>--Section:Key=VALUE</c> arguments.</param>
/// <param name="configure">Extra configuration, applied last (tests point commands at their database).</param>
/// <param name="output">Where commands report what they did.</param>
/// <param name="error">Where errors go.</param>
internal sealed class CliHost(IReadOnlyList<string> configurationOverrides, Action<IConfigurationBuilder>? configure, TextWriter output, TextWriter error)
{
    /// <summary>Makes <paramref name="handler"/> the command's action; its result is the exit code.</summary>
    /// <param name="migrate">Apply pending migrations before the handler runs (every command but <c>migrate</c> itself).</param>
    public void SetHandler(Command command, Func<ParseResult, CliContext, Task<int>> handler, bool migrate = true) =>
        command.SetAction((parsed, _) => RunAsync(parsed, handler, migrate));

    /// <summary>
    /// A host builder with the command's configuration: the content root's appsettings.json, the environment, the
    /// command line's overrides, then <c>configure</c>. Logs go to stderr, warnings and errors only, so stdout holds
    /// only results.
    /// </summary>
    public HostApplicationBuilder CreateBuilder()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [.. configurationOverrides],
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        configure?.Invoke(builder.Configuration);
        // This filter is added after the configuration's, so it wins over it.
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter(level => level >= LogLevel.Warning);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        return builder;
    }

    private async Task<int> RunAsync(ParseResult parsed, Func<ParseResult, CliContext, Task<int>> handler, bool migrate)
    {
        var builder = CreateBuilder();
        builder.Services.AddPortalServices(builder.Configuration);
        using var host = builder.Build();

        var database = host.Services.GetRequiredService<PortalDatabase>();
        try
        {
            await database.StartAsync(migrate);
            return await handler(parsed, new CliContext(host.Services, output, error));
        }
        catch (PortalStartupException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        catch (OptionsValidationException e)
        {
            await error.WriteLineAsync($"error: {string.Join(" ", e.Failures)}");
            return 1;
        }
        finally
        {
            await database.StopAsync();
        }
    }
}
