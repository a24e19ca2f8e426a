using Microsoft.Extensions.Configuration;
using MtlPortal.Web.Cli;

namespace MtlPortal.Testing;

/// <summary>The operator CLI in process, with its console captured.</summary>
public static class OperatorCommand
{
    /// <summary>
    /// Runs <paramref name="args"/> as <c>./mtl</c> would, with the configuration <paramref name="configure"/> adds
    /// (null: only what a real invocation would read), and returns its exit code and what it wrote.
    /// </summary>
    public static async Task<(int Exit, string Out, string Error)> RunAsync(Action<IConfigurationBuilder>? configure, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await OperatorCli.RunAsync(args, stdout, stderr, configure);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
