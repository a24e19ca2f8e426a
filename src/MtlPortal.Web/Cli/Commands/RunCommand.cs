using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MtlPortal.Runs;

namespace MtlPortal.Web.Cli.Commands;

/// <summary>
/// <c>mtl run --benchmark NAME</c>: starts a run of a benchmark's tasks under each condition; with <c>--wait</c> it
/// also works on the run and ends with per-condition pass@k.
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliHost host)
    {
        var benchmark = new Option<string>("--benchmark") { HelpName = "NAME", Description = "The benchmark whose tasks are run.", Required = true };
        var conditions = CliValues.Repeatable("--conditions", "zero-shot,insight",
            $"The conditions, comma-separated or repeated: {string.Join(", ", RunConditions.All)} (default: zero-shot, insight).");
        var attempts = CliValues.Number<int>("--attempts", "3", "Attempts per task and condition (default: 3).", "--attempts takes a whole number");
        var limit = CliValues.Number<int>("--limit", "N", "Only the first N tasks (in file order).", "--limit takes a whole number");
        var sample = CliValues.Number<int>("--sample", "N", "A random sample of N tasks, reproducible with --seed.", "--sample takes a whole number");
        var seed = CliValues.Number<int>("--seed", "S", "The seed of --sample.", "--seed takes a whole number");
        var mode = new Option<RunMode?>("--mode")
        {
            HelpName = "single|agent",
            Description = "single: one answer per attempt; agent: the model may run code and try again (default: single).",
            CustomParser = result => CliValues.Single(result)?.ToLowerInvariant() switch
            {
                "single" => (RunMode?)RunMode.Single,
                "agent" => RunMode.Agent,
                _ => CliValues.Fail<RunMode?>(result, "--mode is single or agent"),
            },
        };
        var query = new Option<RetrievalQuery?>("--query")
        {
            HelpName = "plan|task",
            Description = "What retrieval embeds: a short plan the model writes first, or the task itself (default: plan).",
            CustomParser = result => CliValues.Single(result)?.ToLowerInvariant() switch
            {
                "plan" => (RetrievalQuery?)RetrievalQuery.Plan,
                "task" => RetrievalQuery.Task,
                _ => CliValues.Fail<RetrievalQuery?>(result, "--query is plan or task"),
            },
        };
        var model = new Option<string>("--model") { HelpName = "CONNECTION", Description = "The model connection (may be left out when exactly one is registered)." };
        var maxTokens = CliValues.Number<long>("--max-tokens", "N", "Stop the run once it has used this many tokens.", "--max-tokens takes a whole number");
        var maxCost = CliValues.Number<decimal>("--max-cost", "C", "Stop the run once it has cost this much.", "--max-cost takes a number", NumberStyles.Number);
        var wait = new Option<bool>("--wait") { Description = "Also work on the run here, printing progress, and end with per-condition pass@k." };
        var json = new Option<bool>("--json") { Description = "Print the run as JSON (the same object as GET /api/v1/runs/{id})." };
        var command = new Command("run",
            "Start a run of a benchmark's tasks under each condition, with memories retrieved from the pool frozen now, leaving the benchmark's own domain out. The portal and any worker run it; with --wait this command works on it too.")
        {
            benchmark, conditions, attempts, limit, sample, seed, mode, query, model, maxTokens, maxCost, wait, json,
        };
        host.SetHandler(command, (parsed, context) => RunAsync(host, context, new RunRequest
        {
            Benchmark = parsed.GetRequiredValue(benchmark),
            Model = parsed.GetValue(model),
            Conditions = parsed.GetValue(conditions) is { } given ? CliValues.CommaSeparated(given) : null,
            Attempts = parsed.GetValue(attempts) ?? 3,
            Limit = parsed.GetValue(limit),
            Sample = parsed.GetValue(sample),
            Seed = parsed.GetValue(seed),
            Mode = parsed.GetValue(mode) ?? RunMode.Single,
            Query = parsed.GetValue(query) ?? RetrievalQuery.Plan,
            MaxTokens = parsed.GetValue(maxTokens),
            MaxCost = parsed.GetValue(maxCost),
        }, parsed.GetValue(wait), parsed.GetValue(json)));
        return command;
    }

    private static async Task<int> RunAsync(CliHost cli, CliContext context, RunRequest request, bool wait, bool json)
    {
        using var host = RunnerHost.Build(cli, context, work: wait);
        await host.StartAsync();
        try
        {
            var started = await host.Services.GetRequiredService<RunLauncher>().StartAsync(request, RunnerHost.Operator);
            if (!started.Succeeded)
            {
                foreach (var problem in started.Errors)
                {
                    await context.Error.WriteLineAsync($"error: {(problem.Field.Length > 0 ? $"--{problem.Field}: " : "")}{problem.Message}");
                }

                return started.Failure == Validation.WriteFailure.Invalid ? OperatorCli.UsageError : 1;
            }

            var run = started.Value!;
            var reports = host.Services.GetRequiredService<RunReports>();
            await context.Out.WriteLineAsync($"Started run {run.Id}: {run.Benchmark!.Name} ({run.Selection}, {run.TaskIds.Count} tasks) × {run.ModelConnection!.Name} × {string.Join(", ", run.Conditions)} × {run.Attempts} = {run.ExpectedAttempts} attempts; pool of {run.PoolMemoryIds.Count} memories.");
            if (!wait)
            {
                await context.Out.WriteLineAsync("The portal and any './mtl worker' run it; follow it with './mtl run-status " + run.Id + "'.");
                if (json)
                {
                    await context.Out.WriteLineAsync(JsonSerializer.Serialize(await reports.GetAsync(run.Id), RunStatusCommand.Json));
                }

                return 0;
            }

            var summary = await WaitAsync(reports, run.Id, context.Out);
            if (json)
            {
                await context.Out.WriteLineAsync(JsonSerializer.Serialize(summary, RunStatusCommand.Json));
            }
            else
            {
                await RunStatusCommand.PrintAsync(summary, context.Out);
            }

            return summary.Status == "completed" ? 0 : 1;
        }
        finally
        {
            await host.StopAsync();
        }
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
}
