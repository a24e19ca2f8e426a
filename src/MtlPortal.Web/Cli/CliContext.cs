namespace MtlPortal.Web.Cli;

/// <summary>What a command's handler gets: the portal's services on the started database, and where to write.</summary>
/// <param name="Services">The command host's services (configuration overrides included).</param>
/// <param name="Out">Results, which scripts capture (a new key's secret, say).</param>
/// <param name="Error">Errors; logs go to the process's stderr.</param>
internal sealed record CliContext(IServiceProvider Services, TextWriter Out, TextWriter Error);
