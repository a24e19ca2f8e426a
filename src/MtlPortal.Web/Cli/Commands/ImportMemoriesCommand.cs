using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;
using MtlPortal.Users;

namespace MtlPortal.Web.Cli.Commands;

/// <summary><c>mtl import-memories FILE --as EMAIL</c>: a memory JSONL file, all or nothing, in a user's name.</summary>
internal static class ImportMemoriesCommand
{
    public static Command Create(CliHost host)
    {
        var file = CliValues.ExistingFile("FILE", "A memory JSONL file (docs/memory-jsonl.md).");
        var asUser = new Option<string>("--as") { HelpName = "EMAIL", Description = "The existing user who imports, whom the audit trail names.", Required = true };
        var team = new Option<string>("--team") { HelpName = "TEAM", Description = "The team of lines without \"team\" (default: the user's only team)." };
        var approved = new Option<bool>("--approved") { Description = "Put the memories straight into the approved pool, skipping review (the user must be an Admin)." };
        var command = new Command("import-memories",
            "Import a memory JSONL file (docs/memory-jsonl.md) in the name of an existing user. Every line is checked first; a file with any error imports nothing. Memories land in review, unless --approved.")
        {
            file, asUser, team, approved,
        };
        host.SetHandler(command, (parsed, context) => RunAsync(context, parsed.GetRequiredValue(file), parsed.GetRequiredValue(asUser), parsed.GetValue(team), parsed.GetValue(approved)));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string path, string email, string? team, bool approved)
    {
        await using var scope = context.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email);
        var actor = user is null ? null : await scope.ServiceProvider.GetRequiredService<ActorDirectory>().GetAsync(user.Id);
        if (actor is null)
        {
            await context.Error.WriteLineAsync(user is null
                ? $"error: --as: there is no user with the email '{email}'; the import is recorded in that user's name."
                : $"error: --as: the user '{email}' is disabled.");
            return OperatorCli.UsageError;
        }

        var options = new ImportOptions(Path.GetFileName(path), team, approved);
        ImportResult result;
        await using (var file = File.OpenRead(path))
        {
            result = await scope.ServiceProvider.GetRequiredService<MemoryImporter>().ImportAsync(actor, file, options, new CliProgress(context.Out));
        }

        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                await context.Error.WriteLineAsync(error.Line > 0 ? error.ToString() : $"error: {error}");
            }

            var shown = result.ErrorCount > result.Errors.Count ? $" (the first {result.Errors.Count} are listed)" : "";
            await context.Error.WriteLineAsync($"Nothing was imported: {result.ErrorCount} error(s){shown}.");
            return 1;
        }

        await context.Out.WriteLineAsync($"Imported {result.Imported} memories ({(approved ? "approved, without review" : "in review")}) as {user!.Email}.");
        return 0;
    }
}
