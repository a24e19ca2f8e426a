namespace MtlPortal.Web.Cli;

/// <summary>
/// Configuration given on the command line as <c>--Section:Key VALUE</c> or <c>--Section:Key=VALUE</c>, which every
/// command accepts, as the portal does. They are taken out before the command line is parsed (so a value is never
/// mistaken for a command's FILE) and handed to the command's host, where they win over appsettings.json and the
/// environment.
/// </summary>
internal static class ConfigurationOverrides
{
    /// <returns>
    /// The overrides, each as <c>--Section:Key=VALUE</c>, and the other arguments in their order. An override at the
    /// very end without its value stays among the other arguments, so the parser reports it.
    /// </returns>
    public static (IReadOnlyList<string> Overrides, string[] Remaining) Split(IReadOnlyList<string> args)
    {
        var overrides = new List<string>();
        var remaining = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!IsOverride(arg))
            {
                remaining.Add(arg);
            }
            else if (arg.Contains('=', StringComparison.Ordinal))
            {
                overrides.Add(arg);
            }
            else if (i + 1 < args.Count)
            {
                // The next argument is the value whatever it looks like, as for the portal's own command line.
                overrides.Add($"{arg}={args[++i]}");
            }
            else
            {
                remaining.Add(arg);
            }
        }

        return (overrides, [.. remaining]);
    }

    /// <summary>A double dash and a key with a section: a colon before any '=' (commands' own options have none).</summary>
    private static bool IsOverride(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal))
        {
            return false;
        }

        var colon = arg.IndexOf(':', StringComparison.Ordinal);
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return colon > 2 && (equals < 0 || colon < equals);
    }
}
