using System.CommandLine;
using MtlPortal.Auditing;
using MtlPortal.Embeddings;
using MtlPortal.Retrieval;

namespace MtlPortal.Web.Cli.Commands;

/// <summary><c>mtl reembed</c>: brings every stored vector to the configured embedding model.</summary>
internal static class ReembedCommand
{
    public static Command Create(CliHost host)
    {
        var command = new Command("reembed",
            "Re-embed every memory revision whose vector another model than the configured one made (after changing Embeddings:*).");
        host.SetHandler(command, (_, context) => RunAsync(context));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context)
    {
        var model = context.Services.GetRequiredService<EmbeddingModelInfo>();
        var done = await context.Services.GetRequiredService<ReembedJob>().RunAsync(AuditTrail.CliActor, new CliProgress(context.Out));
        await context.Out.WriteLineAsync(done == 0
            ? $"Every stored vector already comes from {model.ModelId}."
            : $"Re-embedded {done} revision(s) with {model.ModelId}.");
        return 0;
    }
}
