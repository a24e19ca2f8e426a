using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MtlPortal.Agents;
using MtlPortal.Auditing;
using MtlPortal.Benchmarks;
using MtlPortal.Memories;
using MtlPortal.Memories.Transfer;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using MtlPortal.Sandbox;
using MtlPortal.Embeddings;
using MtlPortal.Users;
using MtlPortal.Web.Hosting;

namespace MtlPortal.Web.Cli;

/// <summary>
/// Operator commands: <c>dotnet run --project src/MtlPortal.Web -- &lt;command&gt;</c> or <c>./mtl &lt;command&gt;</c>.
/// They use the database the portal would use (the configured server, or the embedded one, shared with a running
/// portal), print what they did, and exit non-zero with a message on bad arguments or a failed write.
/// </summary>
public static class OperatorCli
{
    private static readonly IReadOnlyList<CliCommand> Commands =
    [
        new("migrate", "migrate", "Apply pending database migrations.", [], MigrateAsync),
        new("create-user", "create-user --email E --password P --role R [--role R2] [--team T] [--name N]",
            "Create a user with roles (Admin, Reviewer, Contributor, Manager) and, optionally, teams (created when missing).",
            ["email", "password", "role", "team", "name"], CreateUserAsync),
        new("import-memories", "import-memories FILE --as EMAIL [--team T] [--approved]",
            "Import a memory JSONL file (docs/memory-jsonl.md) as the existing user EMAIL, who the audit trail names. Every line is checked first; a file with any error imports nothing. Memories land in review; lines without \"team\" go to T (default: the user's only team). --approved (the user must be an Admin) puts them straight into the approved pool, skipping review.",
            ["as", "team"], ImportMemoriesAsync) { Flags = ["approved"], Arguments = ["file"] },
        new("export-memories", "export-memories FILE",
            "Write the approved pool (the approved revision of every memory that is not archived) to FILE as memory JSONL.",
            [], ExportMemoriesAsync) { Arguments = ["file"] },
        new("create-api-key", "create-api-key --user EMAIL --scopes S1,S2 [--name N] [--expires DAYS]",
            $"Create an API key for an existing user and print its secret (shown this once). Scopes: {string.Join(", ", ApiScopes.All)}.",
            ["user", "scopes", "name", "expires"], CreateApiKeyAsync),
        new("reembed", "reembed",
            "Re-embed every memory revision whose vector was made by another model than the configured one (after changing Embeddings:*).",
            [], ReembedAsync),
        new("import-benchmark", "import-benchmark FILE --format humaneval|humaneval-x|mbpp|mbpp-sanitized|tasks --name NAME [--language L] [--replace] [--verify]",
            "Import a benchmark (plain or .gz; formats in docs/benchmark-jsonl.md). NAME is also its domain, the one leave-one-domain-out excludes from retrieval. Every record is checked first; a file with any error imports nothing. A benchmark of that name is refused unless --replace. --verify then runs every reference solution in the sandbox (Ctrl+C stops; finished results are kept).",
            ["format", "name", "language"], ImportBenchmarkAsync) { Flags = ["verify", "replace"], Arguments = ["file"] },
        new("verify-references", "verify-references NAME",
            "Run every reference solution of benchmark NAME in the sandbox and record which pass; tasks whose reference fails are left out of runs by default. Ctrl+C stops; finished results are kept.",
            [], VerifyReferencesAsync) { Arguments = ["name"] },
        new("run", Runs.RunCommands.RunUsage,
            "Start a run of a benchmark's tasks under each condition (zero-shot, insight, summary, workflow, trajectory), with memories retrieved from the pool frozen now, leaving the benchmark's own domain out. With --wait it also works on the run, printing progress, and ends with per-condition pass@k (--json: the same object as GET /api/v1/runs/{id}).",
            Runs.RunCommands.RunOptions, Runs.RunCommands.RunAsync) { Flags = ["wait", "json"] },
        new("run-status", Runs.RunCommands.RunStatusUsage, "A run's status, progress and per-condition pass@k.",
            [], Runs.RunCommands.RunStatusAsync) { Flags = ["json"], Arguments = ["id"] },
        new("add-model", Runs.RunCommands.AddModelUsage,
            "Register a model connection that runs may use (or change the one with this name): an OpenAI-compatible endpoint including /v1, the model id, the API key from the environment variable VAR (stored encrypted), and optional prices per million input and output tokens.",
            Runs.RunCommands.AddModelOptions, Runs.RunCommands.AddModelAsync),
        new("worker", Runs.RunCommands.WorkerUsage,
            "Work on queued attempts of every run, beside the portal, until stopped (Ctrl+C); another machine joins through the same ConnectionStrings:Portal.",
            [], Runs.RunCommands.WorkerAsync),
        new("import-trajectories", Generation.GenerationCommands.ImportUsage,
            "Import agent trajectories (docs/trajectory-jsonl.md describes the formats) as the user EMAIL. D is the source domain of records that name none; M the model of records whose format does not say. A file with any invalid record imports nothing; errors are by record.",
            Generation.GenerationCommands.ImportOptions, Generation.GenerationCommands.ImportTrajectoriesAsync) { Arguments = ["file"] },
        new("generate-memories", Generation.GenerationCommands.GenerateUsage,
            "Generate memories of the given kinds (default: insight) from a finished run's attempts or from a trajectory file, with a model connection, into team T's review queue as the user EMAIL. Trajectories without a verdict are judged first by a strict LLM judge. With --wait it also works on the job, printing progress.",
            Generation.GenerationCommands.GenerateOptions, Generation.GenerationCommands.GenerateMemoriesAsync) { Flags = ["wait"] },
    ];

    /// <summary>True when the arguments name an operator command (or ask for help) rather than starting the web host.</summary>
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && (args[0] is "--help" or "-h" or "help" || Commands.Any(c => c.Name == args[0]));

    /// <param name="args">The command line: the command's name, then its options.</param>
    /// <param name="stdout">Where the command reports what it did.</param>
    /// <param name="stderr">Where errors go.</param>
    /// <param name="configure">Extra configuration, applied last (tests point the command at their database).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Action<IConfigurationBuilder>? configure = null)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            await stdout.WriteAsync(Usage());
            return 0;
        }

        var command = Commands.Single(c => c.Name == args[0]);
        if (args.Skip(1).Any(a => a is "--help" or "-h"))
        {
            await stdout.WriteLineAsync($"usage: mtl {command.Usage}\n  {command.Summary}");
            return 0;
        }

        var (options, error) = CliOptions.Parse(args.AsSpan(1), command.Options, command.Flags, command.Arguments);
        if (args.Skip(1).Select((arg, i) => (Arg: arg, At: MtlPortal.Validation.TextRules.IndexOfUnstorable(arg), Index: i + 1)).FirstOrDefault(a => a.At >= 0) is { Arg: not null } bad)
        {
            error = $"argument {bad.Index} ({(bad.Index > 1 && args[bad.Index - 1].StartsWith("--", StringComparison.Ordinal) ? args[bad.Index - 1] : "value")}) contains a NUL character or a broken Unicode character at position {bad.At + 1}.";
            options = null;
        }

        if (options is null)
        {
            await stderr.WriteLineAsync($"error: {error}\nusage: mtl {command.Usage}");
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        configure?.Invoke(builder.Configuration);
        // Commands print their results on stdout (scripts capture it, e.g. a new key's secret); logs go to stderr,
        // and only warnings and errors. This filter is added after the configuration's, so it wins over it.
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter(level => level >= LogLevel.Warning);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddPortalServices(builder.Configuration);
        using var host = builder.Build();

        var database = host.Services.GetRequiredService<PortalDatabase>();
        try
        {
            await database.StartAsync(migrate: command.Name != "migrate");
            return await command.RunAsync(new CliContext(host.Services, options, stdout, stderr));
        }
        catch (PortalStartupException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        catch (OptionsValidationException e)
        {
            await stderr.WriteLineAsync($"error: {string.Join(" ", e.Failures)}");
            return 1;
        }
        finally
        {
            await database.StopAsync();
        }
    }

    private static string Usage()
    {
        var text = new StringBuilder("MTL Portal operator commands\n\nusage: mtl <command> [options]   (or: dotnet run --project src/MtlPortal.Web -- <command> [options])\n\n");
        foreach (var command in Commands)
        {
            text.Append($"  {command.Usage}\n      {command.Summary}\n");
        }

        text.Append("\nWith no command, the portal's web server starts. Commands use the database in ConnectionStrings:Portal, or the embedded one.\n");
        return text.ToString();
    }

    private static async Task<int> MigrateAsync(CliContext context)
    {
        var database = context.Services.GetRequiredService<PortalDatabase>();
        var applied = await context.Services.GetRequiredService<MigrationRunner>().ApplyAsync(database.ConnectionString);
        await context.Out.WriteLineAsync(applied.Count == 0
            ? $"The database is up to date ({MigrationRunner.Scripts.Count} migrations applied earlier)."
            : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
        return 0;
    }

    private static async Task<int> CreateApiKeyAsync(CliContext context)
    {
        var missing = new[] { "user", "scopes" }.Where(o => !context.Options.ContainsKey(o)).ToList();
        if (missing.Count > 0)
        {
            await context.Error.WriteLineAsync($"error: missing {string.Join(", ", missing.Select(m => "--" + m))}\nusage: mtl {Commands.Single(c => c.Name == "create-api-key").Usage}");
            return 2;
        }

        int? expires = null;
        if (context.Options.ContainsKey("expires"))
        {
            if (!int.TryParse(context.Single("expires"), System.Globalization.CultureInfo.InvariantCulture, out var days))
            {
                await context.Error.WriteLineAsync("error: --expires takes a number of days");
                return 2;
            }

            expires = days;
        }

        var email = context.Single("user");
        await using var scope = context.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PortalUser>>().FindByEmailAsync(email);
        if (user is null)
        {
            await context.Error.WriteLineAsync($"error: there is no user {email}");
            return 1;
        }

        var scopes = context.Options["scopes"].SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var name = context.Options.TryGetValue("name", out var names) ? names[^1] : $"cli {DateTime.UtcNow:yyyy-MM-dd HH:mm}";
        var result = await context.Services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, name, scopes, expires, AuditTrail.CliActor);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                await context.Error.WriteLineAsync($"error: {error.Message}");
            }

            return 1;
        }

        var key = result.Value!.Key;
        await context.Out.WriteLineAsync($"Created API key '{key.Name}' for {email} with scopes {string.Join(", ", key.Scopes)}{(key.ExpiresAt is { } at ? $", expiring {at:yyyy-MM-dd}" : "")}.");
        await context.Out.WriteLineAsync("Its secret is shown only this once:");
        await context.Out.WriteLineAsync(result.Value.Secret);
        return 0;
    }

    private static async Task<int> ReembedAsync(CliContext context)
    {
        var job = context.Services.GetRequiredService<ReembedJob>();
        var model = context.Services.GetRequiredService<EmbeddingModelInfo>();
        var done = await job.RunAsync(AuditTrail.CliActor, new CliProgress(context.Out));
        await context.Out.WriteLineAsync(done == 0
            ? $"Every stored vector already comes from {model.ModelId}."
            : $"Re-embedded {done} revision(s) with {model.ModelId}.");
        return 0;
    }

    private static async Task<int> CreateUserAsync(CliContext context)
    {
        var missing = new[] { "email", "password", "role" }.Where(o => !context.Options.ContainsKey(o)).ToList();
        if (missing.Count > 0)
        {
            await context.Error.WriteLineAsync($"error: missing {string.Join(", ", missing.Select(m => "--" + m))}\nusage: mtl {Commands[1].Usage}");
            return 2;
        }

        await using var scope = context.Services.CreateAsyncScope();
        var admin = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var request = new NewUser(
            context.Single("email"),
            context.Single("password"),
            context.Options.TryGetValue("name", out var name) ? name[^1] : null,
            context.Options["role"],
            context.Options.TryGetValue("team", out var teams) ? teams : []);
        var result = await admin.CreateUserAsync(request, AuditTrail.CliActor);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                await context.Error.WriteLineAsync(error.Field.Length > 0 ? $"error: {error.Field}: {error.Message}" : $"error: {error.Message}");
            }

            return 1;
        }

        var user = result.Value!;
        var roleText = string.Join(", ", request.Roles.Select(r => PortalRoles.Normalize(r)));
        var teamText = request.TeamNames.Count > 0 ? $" in team(s) {string.Join(", ", request.TeamNames)}" : "";
        await context.Out.WriteLineAsync($"Created user {user.Email} (id {user.Id}) with role(s) {roleText}{teamText}.");
        return 0;
    }

    private static async Task<int> ImportMemoriesAsync(CliContext context)
    {
        if (await MissingAsync(context, "import-memories", "file", "as"))
        {
            return 2;
        }

        var path = context.Single("file");
        if (!File.Exists(path))
        {
            await context.Error.WriteLineAsync($"error: there is no file '{path}'.");
            return 2;
        }

        await using var scope = context.Services.CreateAsyncScope();
        var email = context.Single("as");
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email);
        var actor = user is null ? null : await scope.ServiceProvider.GetRequiredService<ActorDirectory>().GetAsync(user.Id);
        if (actor is null)
        {
            await context.Error.WriteLineAsync(user is null
                ? $"error: --as: there is no user with the email '{email}'; the import is recorded in that user's name."
                : $"error: --as: the user '{email}' is disabled.");
            return 2;
        }

        var approved = context.Options.ContainsKey("approved");
        var options = new ImportOptions(Path.GetFileName(path), context.Options.TryGetValue("team", out var team) ? team[^1] : null, approved);
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

    private static async Task<int> ExportMemoriesAsync(CliContext context)
    {
        if (await MissingAsync(context, "export-memories", "file"))
        {
            return 2;
        }

        var path = Path.GetFullPath(context.Single("file"));
        // Written beside the target and moved into place at the end, so a failed export never leaves half a file.
        var partial = path + ".partial";
        int count;
        try
        {
            await using (var file = File.Create(partial))
            {
                count = await context.Services.GetRequiredService<MemoryExporter>().ExportAsync(file, AuditTrail.CliActor, new CliProgress(context.Out));
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

    private static async Task<int> ImportBenchmarkAsync(CliContext context)
    {
        if (await MissingAsync(context, "import-benchmark", "file", "format", "name"))
        {
            return 2;
        }

        var path = context.Single("file");
        if (!File.Exists(path))
        {
            await context.Error.WriteLineAsync($"error: there is no file '{path}'.");
            return 2;
        }

        if (TaskParsers.ParseFormat(context.Single("format")) is not { } format)
        {
            await context.Error.WriteLineAsync($"error: --format is one of humaneval, humaneval-x, mbpp, mbpp-sanitized, tasks (not '{context.Single("format")}').");
            return 2;
        }

        SandboxLanguage? language = null;
        if (context.Options.ContainsKey("language"))
        {
            language = SandboxLanguages.Parse(context.Single("language"));
            if (language is null)
            {
                await context.Error.WriteLineAsync($"error: --language is one of {string.Join(", ", SandboxLanguages.All.Select(l => l.Name()))} (not '{context.Single("language")}').");
                return 2;
            }
        }

        var options = new BenchmarkImportOptions(context.Single("name"), format, Path.GetFileName(path), language, context.Options.ContainsKey("replace"));
        BenchmarkImportResult result;
        await using (var file = File.OpenRead(path))
        {
            result = await context.Services.GetRequiredService<BenchmarkImporter>().ImportAsync(file, options, AuditTrail.CliActor, new CliProgress(context.Out));
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

        await context.Out.WriteLineAsync($"{(result.Replaced ? "Replaced" : "Imported")} benchmark '{options.Name.Trim()}' with {result.Imported} tasks.");
        return context.Options.ContainsKey("verify") ? await VerifyAsync(context, options.Name.Trim()) : 0;
    }

    private static async Task<int> VerifyReferencesAsync(CliContext context) =>
        await MissingAsync(context, "verify-references", "name") ? 2 : await VerifyAsync(context, context.Single("name"));

    /// <summary>Runs the references with a progress line, stopping cleanly on Ctrl+C (what finished stays recorded).</summary>
    private static async Task<int> VerifyAsync(CliContext context, string name)
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

    /// <summary>Says which required arguments are missing (FILE for "file", --x for options); true when any is.</summary>
    private static async Task<bool> MissingAsync(CliContext context, string command, params string[] required)
    {
        var missing = required.Where(o => !context.Options.ContainsKey(o)).ToList();
        if (missing.Count == 0)
        {
            return false;
        }

        var definition = Commands.Single(c => c.Name == command);
        await context.Error.WriteLineAsync($"error: missing {string.Join(", ", missing.Select(m => definition.Arguments.Contains(m) ? m.ToUpperInvariant() : "--" + m))}\nusage: mtl {definition.Usage}");
        return true;
    }

    private sealed record CliCommand(string Name, string Usage, string Summary, IReadOnlyList<string> Options, Func<CliContext, Task<int>> RunAsync)
    {
        /// <summary>Options that take no value (present or not).</summary>
        public IReadOnlyList<string> Flags { get; init; } = [];

        /// <summary>Positional arguments, in order.</summary>
        public IReadOnlyList<string> Arguments { get; init; } = [];
    }

    /// <summary>
    /// Prints progress as "validated 400/1000": about a line per tenth of each phase, and its last. It reports on
    /// the caller's thread, so lines come in order (unlike <see cref="Progress{T}"/>, which posts to the thread pool).
    /// </summary>
    private sealed class CliProgress(TextWriter output) : IProgress<ImportProgress>, IProgress<ExportProgress>, IProgress<ReembedProgress>, IProgress<BenchmarkImportProgress>, IProgress<VerificationProgress>
    {
        private readonly Lock _lock = new();

        private string? _verb;
        private int _printed;

        public void Report(ImportProgress value) => Print(value.Phase switch
        {
            ImportPhase.Validating => "validated",
            ImportPhase.Embedding => "embedded",
            _ when value.Done == value.Total => "imported",
            _ => null, // the start of the transaction: nothing is imported until it commits
        }, value.Done, value.Total);

        public void Report(ExportProgress value) => Print("exported", value.Done, value.Total);

        public void Report(ReembedProgress value) => Print("re-embedded", value.Done, value.Total);

        public void Report(BenchmarkImportProgress value) => Print(value.Phase switch
        {
            ImportPhase.Validating => "checked",
            _ when value.Done == value.Total => "imported",
            _ => null,
        }, value.Done, value.Total);

        /// <summary>Verification reports from several sandboxes at once.</summary>
        public void Report(VerificationProgress value)
        {
            lock (_lock)
            {
                Print("verified", value.Done, value.Total, $" ({value.Passed} passed)");
            }
        }

        private void Print(string? verb, int done, int total, string note = "")
        {
            if (verb is null || total == 0)
            {
                return;
            }

            if (verb != _verb)
            {
                (_verb, _printed) = (verb, 0);
            }

            var step = Math.Max(1, total / 10);
            if (done > _printed && (done == total || done / step > _printed / step))
            {
                _printed = done;
                output.WriteLine($"{verb} {done}/{total}{note}");
            }
        }
    }
}

/// <summary>What a command gets: the services, its parsed options (each may repeat), and where to write.</summary>
internal sealed record CliContext(IServiceProvider Services, IReadOnlyDictionary<string, IReadOnlyList<string>> Options, TextWriter Out, TextWriter Error)
{
    public string Single(string option) => Options[option][^1];
}

/// <summary>
/// Parses <c>--name value</c> pairs (and <c>--name=value</c>), which may repeat; flags (<c>--name</c> alone); and
/// positional arguments, each stored under its name.
/// </summary>
public static class CliOptions
{
    public static (Dictionary<string, IReadOnlyList<string>>? Options, string? Error) Parse(
        ReadOnlySpan<string> args, IReadOnlyList<string> known, IReadOnlyList<string>? flags = null, IReadOnlyList<string>? arguments = null)
    {
        flags ??= [];
        arguments ??= [];
        var options = new Dictionary<string, List<string>>();
        var positional = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (positional >= arguments.Count)
                {
                    return (null, $"unexpected argument '{arg}'");
                }

                options[arguments[positional++]] = [arg];
                continue;
            }

            var name = arg[2..];
            string? value = null;
            if (name.IndexOf('=') is var eq and >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }

            if (flags.Contains(name))
            {
                if (value is not null)
                {
                    return (null, $"option '--{name}' takes no value");
                }

                options[name] = ["true"];
                continue;
            }

            if (!known.Contains(name))
            {
                return (null, $"unknown option '--{name}'");
            }

            if (value is null)
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return (null, $"option '--{name}' needs a value");
                }

                value = args[++i];
            }

            if (!options.TryGetValue(name, out var values))
            {
                options[name] = values = [];
            }

            values.Add(value);
        }

        return (options.ToDictionary(o => o.Key, o => (IReadOnlyList<string>)o.Value), null);
    }
}
