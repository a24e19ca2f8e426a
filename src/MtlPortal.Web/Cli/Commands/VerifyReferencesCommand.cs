using System.CommandLine;
using MtlPortal.Auditing;
using MtlPortal.Benchmarks;
using MtlPortal.Sandbox;

namespace MtlPortal.Web.Cli.Commands;

/// <summary><c>mtl verify-references NAME</c>: which of a benchmark's reference solutions pass in the sandbox.</summary>
internal static class VerifyReferencesCommand
{
    public static Command Create(CliHost host)
    {
        var name = new Argument<string>("NAME") { Description = "The benchmark's name." };
        var command = new Command("verify-references",
            "Run benchmark NAME's reference solutions in the sandbox and record which pass (tasks whose reference fails are left out of runs by default). Ctrl+C stops; finished results are kept.")
        {
            name,
        };
        host.SetHandler(command, (parsed, context) => VerifyAsync(context, parsed.GetRequiredValue(name)));
        return command;
    }

    /// <summary>Runs the references with a progress line, stopping cleanly on Ctrl+C (what finished stays recorded).</summary>
    public static async Task<int> VerifyAsync(CliContext context, string name)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var summary = await context.Services.GetRequiredService<ReferenceVerifier>().VerifyAsync(name, AuditTrail.CliActor, new CliProgress(context.Out), cancel.Token);
            if (summary is null)
            {
                await context.Error.WriteLineAsync($"error: there is no benchmark named '{name}'.");
                return 1;
            }

            foreach (var (taskId, verdict) in summary.Failed)
            {
                await context.Out.WriteLineAsync($"  {taskId}: {verdict}");
            }

            var without = summary.WithoutReference > 0 ? $"; {summary.WithoutReference} task(s) have no reference" : "";
            await context.Out.WriteLineAsync($"Verified '{summary.Benchmark}': {summary.Passed} of {summary.Verified} references pass{(summary.Failed.Count > 0 ? $"; the {summary.Failed.Count} failing task(s) are left out of runs by default" : "")}{without}.");
            return 0;
        }
        catch (SandboxUnavailableException e)
        {
            await context.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync("Stopped: the references verified so far are recorded; run verify-references again to check them all.");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
