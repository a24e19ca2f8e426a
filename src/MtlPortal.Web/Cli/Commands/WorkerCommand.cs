using System.CommandLine;

namespace MtlPortal.Web.Cli.Commands;

/// <summary><c>mtl worker</c>: works on queued attempts of every run until stopped (Ctrl+C or SIGTERM).</summary>
internal static class WorkerCommand
{
    public static Command Create(CliHost host)
    {
        var command = new Command("worker",
            "Work on queued attempts of every run, beside the portal, until stopped (Ctrl+C); another machine joins through the same ConnectionStrings:Portal.");
        host.SetHandler(command, (_, context) => RunAsync(host, context));
        return command;
    }

    private static async Task<int> RunAsync(CliHost cli, CliContext context)
    {
        using var host = RunnerHost.Build(cli, context, work: true);
        await context.Out.WriteLineAsync("Worker started: running queued attempts of every run until stopped (Ctrl+C).");
        await host.RunAsync();
        await context.Out.WriteLineAsync("Worker stopped; attempts in progress went back to the queue.");
        return 0;
    }
}
