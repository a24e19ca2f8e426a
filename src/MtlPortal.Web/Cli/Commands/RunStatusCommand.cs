using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MtlPortal.Runs;

namespace MtlPortal.Web.Cli.Commands;

/// <summary><c>mtl run-status ID</c>: a run's status, progress and per-condition pass@k.</summary>
internal static class RunStatusCommand
{
    /// <summary>The run as the API writes it (<c>GET /api/v1/runs/{id}</c>), indented for people.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create(CliHost host)
    {
        var id = new Argument<Guid>("ID")
        {
            Description = "The run's id, as 'run' printed it.",
            CustomParser = result => Guid.TryParse(CliValues.Single(result), out var value) ? value : CliValues.Fail<Guid>(result, "give the run's id (as 'run' printed it)"),
        };
        var json = new Option<bool>("--json") { Description = "Print the run as JSON (the same object as GET /api/v1/runs/{id})." };
        var command = new Command("run-status", "A run's status, progress and per-condition pass@k.") { id, json };
        host.SetHandler(command, (parsed, context) => RunAsync(context, parsed.GetValue(id), parsed.GetValue(json)));
        return command;
    }

    public static async Task PrintAsync(RunSummary summary, TextWriter output)
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

    private static async Task<int> RunAsync(CliContext context, Guid id, bool json)
    {
        var summary = await ActivatorUtilities.CreateInstance<RunReports>(context.Services).GetAsync(id);
        if (summary is null)
        {
            await context.Error.WriteLineAsync($"error: there is no run {id}");
            return 1;
        }

        if (json)
        {
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(summary, Json));
        }
        else
        {
            await PrintAsync(summary, context.Out);
        }

        return 0;
    }
}
