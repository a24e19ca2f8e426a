using System.Globalization;
using System.Text.Json;
using MtlPortal.Agents;
using MtlPortal.Auditing;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using MtlPortal.Runs;
using MtlPortal.Sandbox;
using MtlPortal.Users;
using MtlPortal.Web.Cli;
using MtlPortal.Web.Hosting;

namespace MtlPortal.Web.Runs;

/// <summary>
/// The operator commands for runs: <c>run</c>, <c>run-status</c> and <c>worker</c>. Each works through a runner
/// host of its own on the database the command resolved (the embedded one stays owned by the command's host):
/// <c>worker</c> and <c>run --wait</c> also work on queued tasks, beside the portal and other workers.
/// </summary>
internal static class RunCommands
{
    public const string RunUsage = "run --benchmark NAME [--conditions zero-shot,insight] [--attempts 3] [--limit N | --sample N --seed S] [--mode single|agent] [--query plan|task] [--model CONNECTION] [--max-tokens N] [--max-cost C] [--wait] [--json]";
    public const string RunStatusUsage = "run-status ID [--json]";
    public const string WorkerUsage = "worker";
    public const string AddModelUsage = "add-model --name N --endpoint URL --model M [--api-key-env VAR] [--input-price P] [--output-price P]";

    public static readonly IReadOnlyList<string> AddModelOptions = ["name", "endpoint", "model", "api-key-env", "input-price", "output-price"];

    public static readonly IReadOnlyList<string> RunOptions = ["benchmark", "conditions", "attempts", "limit", "sample", "seed", "mode", "query", "model", "max-tokens", "max-cost"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The CLI acts with an admin's rights, as for its other commands; the audit trail names it "[cli]".</summary>
    private static readonly Actor Operator = new(AuditTrail.CliActor, new HashSet<string> { PortalRoles.Admin }, new HashSet<Guid>());

    public static async Task<int> RunAsync(CliContext context)
    {
        if (!context.Options.ContainsKey("benchmark"))
        {
            await context.Error.WriteLineAsync($"error: missing --benchmark\nusage: mtl {RunUsage}");
            return 2;
        }

        var (request, error) = ParseRequest(context);
        if (request is null)
        {
            await context.Error.WriteLineAsync($"error: {error}\nusage: mtl {RunUsage}");
            return 2;
        }

        var wait = context.Options.ContainsKey("wait");
        var json = context.Options.ContainsKey("json");
        using var host = BuildRunnerHost(context, work: wait);
        await host.StartAsync();
        try
        {
            var started = await host.Services.GetRequiredService<RunLauncher>().StartAsync(request, Operator);
            if (!started.Succeeded)
            {
                foreach (var problem in started.Errors)
                {
                    await context.Error.WriteLineAsync($"error: {(problem.Field.Length > 0 ? $"--{problem.Field}: " : "")}{problem.Message}");
                }

                return started.Failure == Validation.WriteFailure.Invalid ? 2 : 1;
            }

            var run = started.Value!;
            var reports = host.Services.GetRequiredService<RunReports>();
            await context.Out.WriteLineAsync($"Started run {run.Id}: {run.Benchmark!.Name} ({run.Selection}, {run.TaskIds.Count} tasks) × {run.ModelConnection!.Name} × {string.Join(", ", run.Conditions)} × {run.Attempts} = {run.ExpectedAttempts} attempts; pool of {run.PoolMemoryIds.Count} memories.");
            if (!wait)
            {
                await context.Out.WriteLineAsync("The portal and any './mtl worker' run it; follow it with './mtl run-status " + run.Id + "'.");
                if (json)
                {
                    await context.Out.WriteLineAsync(JsonSerializer.Serialize(await reports.GetAsync(run.Id), Json));
                }

                return 0;
            }

            var summary = await WaitAsync(reports, run.Id, context.Out);
            if (json)
            {
                await context.Out.WriteLineAsync(JsonSerializer.Serialize(summary, Json));
            }
            else
            {
                await PrintAsync(summary, context.Out);
            }

            return summary.Status == "completed" ? 0 : 1;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public static async Task<int> RunStatusAsync(CliContext context)
    {
        if (!Guid.TryParse(context.Options.TryGetValue("id", out var ids) ? ids[^1] : null, out var id))
        {
            await context.Error.WriteLineAsync($"error: give the run's id\nusage: mtl {RunStatusUsage}");
            return 2;
        }

        var summary = await ActivatorUtilities.CreateInstance<RunReports>(context.Services).GetAsync(id);
        if (summary is null)
        {
            await context.Error.WriteLineAsync($"error: there is no run {id}");
            return 1;
        }

        if (context.Options.ContainsKey("json"))
        {
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(summary, Json));
        }
        else
        {
            await PrintAsync(summary, context.Out);
        }

        return 0;
    }

    /// <summary>Works on queued tasks of every run until stopped (Ctrl+C or SIGTERM); tasks in progress go back to the queue.</summary>
    public static async Task<int> WorkerAsync(CliContext context)
    {
        using var host = BuildRunnerHost(context, work: true);
        await context.Out.WriteLineAsync("Worker started: running queued attempts of every run until stopped (Ctrl+C).");
        await host.RunAsync();
        await context.Out.WriteLineAsync("Worker stopped; attempts in progress went back to the queue.");
        return 0;
    }

    /// <summary>
    /// Registers (or changes) a model connection. The key is read from an environment variable so that it appears
    /// neither in the shell's history nor in the process list.
    /// </summary>
    public static async Task<int> AddModelAsync(CliContext context)
    {
        var missing = new[] { "name", "endpoint", "model" }.Where(o => !context.Options.ContainsKey(o)).ToList();
        if (missing.Count > 0)
        {
            await context.Error.WriteLineAsync($"error: missing {string.Join(", ", missing.Select(m => "--" + m))}\nusage: mtl {AddModelUsage}");
            return 2;
        }

        string? key = null;
        if (context.Options.ContainsKey("api-key-env"))
        {
            var variable = context.Single("api-key-env");
            key = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(key))
            {
                await context.Error.WriteLineAsync($"error: the environment variable {variable} is empty or not set");
                return 2;
            }
        }

        decimal? Price(string name, ref string? error)
        {
            if (!context.Options.ContainsKey(name))
            {
                return null;
            }

            if (decimal.TryParse(context.Single(name), NumberStyles.Number, CultureInfo.InvariantCulture, out var price))
            {
                return price;
            }

            error ??= $"--{name} takes a number (per million tokens), e.g. 0.15";
            return null;
        }

        string? problem = null;
        var input = Price("input-price", ref problem);
        var output = Price("output-price", ref problem);
        if (problem is not null)
        {
            await context.Error.WriteLineAsync($"error: {problem}\nusage: mtl {AddModelUsage}");
            return 2;
        }

        // Through a runner host: it holds the same Data Protection keys as the portal, which must decrypt the key.
        using var host = BuildRunnerHost(context, work: false);
        await host.StartAsync();
        Validation.WriteResult<ModelConnection> result;
        try
        {
            result = await host.Services.GetRequiredService<ModelConnections>().SaveAsync(
                new ModelConnectionInput(context.Single("name"), context.Single("endpoint"), context.Single("model"), key, input, output), Operator);
        }
        finally
        {
            await host.StopAsync();
        }

        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                await context.Error.WriteLineAsync($"error: {(error.Field.Length > 0 ? $"--{error.Field}: " : "")}{error.Message}");
            }

            return 1;
        }

        var saved = result.Value!;
        await context.Out.WriteLineAsync($"Model connection '{saved.Name}': {saved.Model} at {saved.Endpoint}{(saved.ProtectedApiKey is null ? ", no key" : ", key stored encrypted")}.");
        return 0;
    }

    private static (RunRequest? Request, string? Error) ParseRequest(CliContext context)
    {
        string? Value(string name) => context.Options.TryGetValue(name, out var values) ? values[^1] : null;
        int? Number(string name, ref string? error)
        {
            var text = Value(name);
            if (text is null)
            {
                return null;
            }

            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }

            error ??= $"--{name} takes a whole number";
            return null;
        }

        string? error = null;
        var attempts = Number("attempts", ref error);
        var limit = Number("limit", ref error);
        var sample = Number("sample", ref error);
        var seed = Number("seed", ref error);
        var mode = Value("mode")?.ToLowerInvariant() switch
        {
            null or "single" => RunMode.Single,
            "agent" => RunMode.Agent,
            _ => (RunMode?)null,
        };
        var query = Value("query")?.ToLowerInvariant() switch
        {
            null or "plan" => RetrievalQuery.Plan,
            "task" => RetrievalQuery.Task,
            _ => (RetrievalQuery?)null,
        };
        long? maxTokens = null;
        if (Value("max-tokens") is { } tokensText)
        {
            maxTokens = long.TryParse(tokensText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var tokens) ? tokens : null;
            error ??= maxTokens is null ? "--max-tokens takes a whole number" : null;
        }

        decimal? maxCost = null;
        if (Value("max-cost") is { } costText)
        {
            maxCost = decimal.TryParse(costText, NumberStyles.Number, CultureInfo.InvariantCulture, out var cost) ? cost : null;
            error ??= maxCost is null ? "--max-cost takes a number" : null;
        }

        error ??= mode is null ? "--mode is single or agent" : query is null ? "--query is plan or task" : null;
        if (error is not null)
        {
            return (null, error);
        }

        return (new RunRequest
        {
            Benchmark = Value("benchmark") ?? "",
            Model = Value("model"),
            Conditions = context.Options.TryGetValue("conditions", out var conditions)
                ? [.. conditions.SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))]
                : null,
            Attempts = attempts ?? 3,
            Limit = limit,
            Sample = sample,
            Seed = seed,
            Mode = mode!.Value,
            Query = query!.Value,
            MaxTokens = maxTokens,
            MaxCost = maxCost,
        }, null);
    }

    private static async Task<RunSummary> WaitAsync(RunReports reports, Guid runId, TextWriter output)
    {
        var lastDone = -1;
        while (true)
        {
            var summary = (await reports.GetAsync(runId))!;
            if (summary.Progress.Done != lastDone || summary.Status != "running")
            {
                lastDone = summary.Progress.Done;
                var passAt1 = string.Join(", ", summary.Conditions.Select(c => $"{c.Condition} pass@1 {(c.PassAtK.TryGetValue("1", out var p) ? p.ToString("0.000", CultureInfo.InvariantCulture) : "-")}"));
                await output.WriteLineAsync($"{summary.Progress.Done}/{summary.Progress.Total} attempts ({summary.Status}){(passAt1.Length > 0 ? "; " + passAt1 : "")}");
            }

            if (summary.Status != "running")
            {
                return summary;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static async Task PrintAsync(RunSummary summary, TextWriter output)
    {
        await output.WriteLineAsync($"Run {summary.Id}: {summary.Status}{(summary.StatusReason is { } reason ? $" ({reason})" : "")}");
        await output.WriteLineAsync($"  {summary.Benchmark} ({summary.Selection}) × {summary.Model}, {summary.Mode}, query {summary.Query}, pool of {summary.PoolSize}");
        await output.WriteLineAsync($"  {summary.Progress.Done}/{summary.Progress.Total} attempts; tokens {summary.TokensIn} in, {summary.TokensOut} out{(summary.Cost is { } cost ? $"; cost {cost.ToString("0.####", CultureInfo.InvariantCulture)}" : "")}");
        foreach (var condition in summary.Conditions)
        {
            var passAtK = string.Join("  ", condition.PassAtK.Select(p => $"pass@{p.Key} {p.Value.ToString("0.000", CultureInfo.InvariantCulture)}"));
            await output.WriteLineAsync($"  {condition.Condition,-11} {condition.Tasks} tasks, {condition.Passed}/{condition.Attempts} passed  {passAtK}");
        }
    }

    /// <summary>
    /// A host with what running attempts needs (pool index, search and its log, sandbox, runner), on the database the
    /// command already resolved: its connection string is handed over, so an embedded server is not started twice.
    /// </summary>
    internal static IHost BuildRunnerHost(CliContext context, bool work)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.AddConfiguration(context.Services.GetRequiredService<IConfiguration>());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = context.Services.GetRequiredService<PortalDatabase>().ConnectionString,
            ["Database:MigrateOnStartup"] = "false",
            [$"{RunnerOptions.Section}:{nameof(RunnerOptions.Enabled)}"] = work ? "true" : "false",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter(level => level >= LogLevel.Warning);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddPortalServices(builder.Configuration);
        builder.Services.AddPortalRetrieval();
        builder.Services.AddPortalAgentSearch();
        builder.Services.AddPortalSandbox();
        builder.Services.AddPortalRunWorker();
        MtlPortal.Generation.GenerationServiceCollectionExtensions.AddPortalGeneration(builder.Services);
        return builder.Build();
    }
}
