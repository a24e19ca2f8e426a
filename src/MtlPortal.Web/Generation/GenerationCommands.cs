using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using MtlPortal.Generation;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Runs;
using MtlPortal.Trajectories;
using MtlPortal.Users;
using MtlPortal.Web.Cli;

namespace MtlPortal.Web.Generation;

/// <summary>
/// The operator commands <c>import-trajectories</c> and <c>generate-memories</c>. Each acts as an existing user
/// (<c>--as EMAIL</c>): generated memories need a real author, whom four-eyes review then keeps from approving them.
/// </summary>
internal static class GenerationCommands
{
    public const string ImportUsage = "import-trajectories FILE --format swe-agent|atif|mini-swe-agent|openhands|intercode|jsonl --domain D --as EMAIL [--model M]";
    public const string GenerateUsage = "generate-memories (--run ID | --trajectories FILE [--format F --domain D]) --team T --as EMAIL [--kinds insight,summary] [--outcomes all|successes|failures] [--model CONNECTION] [--wait]";

    public static readonly IReadOnlyList<string> ImportOptions = ["format", "domain", "model", "as"];
    public static readonly IReadOnlyList<string> GenerateOptions = ["run", "trajectories", "format", "domain", "kinds", "outcomes", "team", "model", "as"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> ImportTrajectoriesAsync(CliContext context)
    {
        var actor = await ActorAsync(context, ImportUsage);
        if (actor is null)
        {
            return 2;
        }

        var file = context.Options.TryGetValue("file", out var files) ? files[^1] : null;
        if (file is null || !context.Options.ContainsKey("format") || !context.Options.ContainsKey("domain"))
        {
            await context.Error.WriteLineAsync($"error: give the FILE, --format and --domain\nusage: mtl {ImportUsage}");
            return 2;
        }

        var ids = await ImportAsync(context, actor, file, context.Single("format"), context.Single("domain"), context.Options.TryGetValue("model", out var m) ? m[^1] : null);
        return ids is null ? 1 : 0;
    }

    public static async Task<int> GenerateMemoriesAsync(CliContext context)
    {
        var actor = await ActorAsync(context, GenerateUsage);
        if (actor is null)
        {
            return 2;
        }

        Guid? runId = null;
        IReadOnlyList<Guid>? trajectoryIds = null;
        if (context.Options.TryGetValue("run", out var runs))
        {
            if (!Guid.TryParse(runs[^1], out var id))
            {
                await context.Error.WriteLineAsync($"error: --run: '{runs[^1]}' is not a run id\nusage: mtl {GenerateUsage}");
                return 2;
            }

            runId = id;
        }
        else if (context.Options.TryGetValue("trajectories", out var file))
        {
            trajectoryIds = await ImportAsync(context, actor, file[^1], context.Options.TryGetValue("format", out var f) ? f[^1] : "jsonl",
                context.Options.TryGetValue("domain", out var d) ? d[^1] : null, null);
            if (trajectoryIds is null)
            {
                return 1;
            }
        }
        else
        {
            await context.Error.WriteLineAsync($"error: give --run or --trajectories\nusage: mtl {GenerateUsage}");
            return 2;
        }

        var outcomes = GenerationOutcomes.All;
        if (context.Options.TryGetValue("outcomes", out var o) && !Enum.TryParse(o[^1], ignoreCase: true, out outcomes))
        {
            await context.Error.WriteLineAsync($"error: --outcomes is all, successes or failures\nusage: mtl {GenerateUsage}");
            return 2;
        }

        var kinds = context.Options.TryGetValue("kinds", out var k) ? k.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList() : null;
        var request = new GenerationRequest(runId, trajectoryIds, kinds, outcomes, context.Options.TryGetValue("team", out var t) ? t[^1] : null,
            context.Options.TryGetValue("model", out var model) ? model[^1] : null);
        var wait = context.Options.ContainsKey("wait");
        using var host = MtlPortal.Web.Runs.RunCommands.BuildRunnerHost(context, work: wait);
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

                return started.Failure == Validation.WriteFailure.Invalid ? 2 : 1;
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

    private static async Task<Actor?> ActorAsync(CliContext context, string usage)
    {
        if (!context.Options.TryGetValue("as", out var emails))
        {
            await context.Error.WriteLineAsync($"error: missing --as (the user the trajectories and memories are recorded for)\nusage: mtl {usage}");
            return null;
        }

        await using var scope = context.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(emails[^1]);
        var actor = user is null ? null : await scope.ServiceProvider.GetRequiredService<ActorDirectory>().GetAsync(user.Id);
        if (actor is null)
        {
            await context.Error.WriteLineAsync($"error: --as: there is no enabled user with the email '{emails[^1]}'.");
        }

        return actor;
    }
}
