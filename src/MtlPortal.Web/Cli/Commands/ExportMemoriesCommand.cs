using System.CommandLine;
using MtlPortal.Auditing;
using MtlPortal.Memories.Transfer;

namespace MtlPortal.Web.Cli.Commands;

/// <summary><c>mtl export-memories FILE</c>: the approved pool as memory JSONL.</summary>
internal static class ExportMemoriesCommand
{
    public static Command Create(CliHost host)
    {
        var file = new Argument<string>("FILE") { Description = "Where to write the memory JSONL (replaced when it exists)." };
        var command = new Command("export-memories",
            "Write the approved pool (the approved revision of every memory that is not archived) to FILE as memory JSONL.")
        {
            file,
        };
        host.SetHandler(command, (parsed, context) => RunAsync(context, parsed.GetRequiredValue(file)));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string file)
    {
        var path = Path.GetFullPath(file);
        // Written beside the target and moved into place at the end, so a failed export never leaves half a file.
        var partial = path + ".partial";
        int count;
        try
        {
            await using (var stream = File.Create(partial))
            {
                count = await context.Services.GetRequiredService<MemoryExporter>().ExportAsync(stream, AuditTrail.CliActor, new CliProgress(context.Out));
            }

            File.Move(partial, path, overwrite: true);
        }
        catch (IOException e)
        {
            File.Delete(partial);
            await context.Error.WriteLineAsync($"error: could not write '{path}': {e.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            await context.Error.WriteLineAsync($"error: could not write '{path}': {e.Message}");
            return 1;
        }

        await context.Out.WriteLineAsync($"Exported {count} approved memories to {path}.");
        return 0;
    }
}
