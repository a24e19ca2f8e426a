using System.CommandLine;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using MtlPortal.Generation;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Runs;
using MtlPortal.Trajectories;
using MtlPortal.Users;
using MtlPortal.Web.Cli;
using MtlPortal.Web.Cli.Commands;

namespace MtlPortal.Web.Generation;

/// <summary>
/// The operator commands <c>import-trajectories</c> and <c>generate-memories</c>. Each acts as an existing user
/// (<c>--as EMAIL</c>): generated memories need a real author, whom four-eyes review then keeps from approving them.
/// </summary>
internal static class GenerationCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary><c>mtl import-trajectories FILE --format F --domain D --as EMAIL [--model M]</c>.</summary>
    public static Command CreateImport(CliHost host)
    {
        var file = CliValues.ExistingFile("FILE", "A trajectory file (docs/trajectory-jsonl.md describes the formats).");
        var format = new Option<string>("--format") { HelpName = string.Join("|", TrajectoryFormats.Names), Description = "The file's format.", Required = true };
        var domain = new Option<string>("--domain") { HelpName = "D", Description = "The source domain of records that name none.", Required = true };
        var model = new Option<string>("--model") { HelpName = "M", Description = "The model of records whose format does not say." };
        var asUser = AsOption("The existing user the trajectories are recorded for.");
        var command = new Command("import-trajectories",
            "Import agent trajectories as the user EMAIL. A file with any invalid record imports nothing; errors are by record.")
        {
            file, format, domain, model, asUser,
        };
        host.SetHandler(command, async (parsed, context) =>
        {
            var actor = await ActorAsync(context, parsed.GetRequiredValue(asUser));
            if (actor is null)
            {
                return OperatorCli.UsageError;
            }

            var ids = await ImportAsync(context, actor, parsed.GetRequiredValue(file), parsed.GetRequiredValue(format), parsed.GetRequiredValue(domain), parsed.GetValue(model));
            return ids is null ? 1 : 0;
        });
        return command;
    }

    /// <summary><c>mtl generate-memories (--run ID | --trajectories FILE) --team T --as EMAIL ...</c>.</summary>
    public static Command CreateGenerate(CliHost host)
    {
        var run = new Option<Guid?>("--run")
        {
            HelpName = "ID",
            Description = "A finished run whose attempts are the trajectories.",
            CustomParser = result => Guid.TryParse(CliValues.Single(result), out var value) ? value : CliValues.Fail<Guid?>(result, "--run: give a run id"),
        };
        var trajectories = new Option<string>("--trajectories") { HelpName = "FILE", Description = "A trajectory file to import first (with --format, default jsonl, and --domain)." };
        var format = new Option<string>("--format") { HelpName = "F", Description = "The trajectory file's format (default jsonl)." };
        var domain = new Option<string>("--domain") { HelpName = "D", Description = "The source domain of the file's records that name none." };
        var kinds = CliValues.Repeatable("--kinds", "insight,summary", "Memory kinds to generate (default insight).");
        var outcomes = new Option<GenerationOutcomes>("--outcomes") { HelpName = "all|successes|failures", Description = "Which attempts to learn from (default all).", DefaultValueFactory = _ => GenerationOutcomes.All };
        var team = new Option<string>("--team") { HelpName = "T", Description = "The team whose review queue receives the memories." };
        var model = new Option<string>("--model") { HelpName = "CONNECTION", Description = "The model connection that writes the memories." };
        var asUser = AsOption("The existing user the memories are recorded for (four-eyes then keeps them from approving them).");
        var wait = new Option<bool>("--wait") { Description = "Also work on the job here, printing progress." };
        var command = new Command("generate-memories",
            "Generate memories of the given kinds from a finished run's attempts or from a trajectory file, into team T's review queue as the user EMAIL. Trajectories without a verdict are judged first by a strict LLM judge.")
        {
            run, trajectories, format, domain, kinds, outcomes, team, model, asUser, wait,
        };
        host.SetHandler(command, async (parsed, context) =>
        {
            var actor = await ActorAsync(context, parsed.GetRequiredValue(asUser));
            if (actor is null)
            {
                return OperatorCli.UsageError;
            }

            var runId = parsed.GetValue(run);
            IReadOnlyList<Guid>? trajectoryIds = null;
            if (runId is null)
            {
                if (parsed.GetValue(trajectories) is not { } file)
                {
                    await context.Error.WriteLineAsync("error: give --run or --trajectories");
                    return OperatorCli.UsageError;
                }

                trajectoryIds = await ImportAsync(context, actor, file, parsed.GetValue(format) ?? "jsonl", parsed.GetValue(domain), null);
                if (trajectoryIds is null)
                {
                    return 1;
                }
            }

            var chosen = CliValues.CommaSeparated(parsed.GetValue(kinds));
            var request = new GenerationRequest(runId, trajectoryIds, chosen.Count > 0 ? chosen : null, parsed.GetValue(outcomes), parsed.GetValue(team), parsed.GetValue(model));
            return await GenerateAsync(host, context, actor, request, parsed.GetValue(wait));
        });
        return command;
    }

    private static Option<string> AsOption(string description) =>
        new("--as") { HelpName = "EMAIL", Description = description, Required = true };

    private static async Task<int> GenerateAsync(CliHost cli, CliContext context, Actor actor, GenerationRequest request, bool wait)
    {
        using var host = RunnerHost.Build(cli, context, work: wait);
        await host.StartAsync();
        try
        {
            var launcher = host.Services.GetRequiredService<GenerationLauncher>();
            var started = await launcher.StartAsync(request, actor);
            if (!started.Succeeded)
            {
                foreach (var problem in started.Errors)
                {
                    await context.Error.WriteLineAsync($"error: {(problem.Field.Length > 0 ? $"--{problem.Field}: " : "")}{problem.Message}");
                }

                return started.Failure == Validation.WriteFailure.Invalid ? OperatorCli.UsageError : 1;
            }

            var job = started.Value!;
            await context.Out.WriteLineAsync($"Started generation {job.Id}: {job.TrajectoryIds.Count} trajectories × {string.Join(", ", job.Kinds)}, at most {job.PlannedCalls} model calls.");
            if (!wait)
            {
                await context.Out.WriteLineAsync("The portal and any './mtl worker' work on it; follow it at GET /api/v1/generations/" + job.Id + ".");
                return 0;
            }

            var last = "";
            while (!job.IsFinished)
            {
                await Task.Delay(500);
                job = (await launcher.GetAsync(job.Id))!;
                var line = $"{job.TrajectoriesDone}/{job.TrajectoryIds.Count} trajectories, {job.CallsDone}/{job.PlannedCalls} calls, {job.MemoriesCreated} memories in review";
                if (line != last)
                {
                    await context.Out.WriteLineAsync(line);
                    last = line;
                }
            }

            await context.Out.WriteLineAsync(JsonSerializer.Serialize(GenerationView.Of(job), Json));
            return job.Status == GenerationStatus.Completed ? 0 : 1;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<IReadOnlyList<Guid>?> ImportAsync(CliContext context, Actor actor, string file, string formatName, string? domain, string? model)
    {
        if (!TrajectoryFormats.TryParse(formatName, out var format))
        {
            await context.Error.WriteLineAsync($"error: --format is one of {string.Join(", ", TrajectoryFormats.Names)}");
            return null;
        }

        if (!File.Exists(file))
        {
            await context.Error.WriteLineAsync($"error: there is no file '{file}'");
            return null;
        }

        if (new FileInfo(file).Length > TrajectoryImporter.MaxFileBytes)
        {
            await context.Error.WriteLineAsync($"error: '{file}' is larger than {TrajectoryImporter.MaxFileBytes / (1024 * 1024)} MB; split it.");
            return null;
        }

        var importer = ActivatorUtilities.GetServiceOrCreateInstance<TrajectoryImporter>(context.Services);
        var result = await importer.ImportAsync(actor, new TrajectoryImportRequest(format, await File.ReadAllTextAsync(file), Path.GetFileName(file), domain, model),
            new Progress<(int Done, int Total)>(p => context.Out.WriteLine($"{p.Done}/{p.Total} trajectories saved")));
        if (!result.Succeeded)
        {
            await context.Error.WriteLineAsync($"error: nothing was imported from '{file}':");
            foreach (var error in result.Errors)
            {
                await context.Error.WriteLineAsync($"  {error}");
            }

            return null;
        }

        await context.Out.WriteLineAsync($"Imported {result.TrajectoryIds.Count} trajectories from {Path.GetFileName(file)} ({format.Name()}).");
        return result.TrajectoryIds;
    }

    private static async Task<Actor?> ActorAsync(CliContext context, string email)
    {
        await using var scope = context.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email);
        var actor = user is null ? null : await scope.ServiceProvider.GetRequiredService<ActorDirectory>().GetAsync(user.Id);
        if (actor is null)
        {
            await context.Error.WriteLineAsync($"error: --as: there is no enabled user with the email '{email}'.");
        }

        return actor;
    }
}
