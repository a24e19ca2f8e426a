using System.CommandLine;
using System.Globalization;
using MtlPortal.Runs;

namespace MtlPortal.Web.Cli.Commands;

/// <summary>
/// <c>mtl add-model</c>: registers (or changes) a model connection that runs may use. The key is read from an
/// environment variable so that it appears neither in the shell's history nor in the process list.
/// </summary>
internal static class AddModelCommand
{
    public static Command Create(CliHost host)
    {
        var name = new Option<string>("--name") { HelpName = "N", Description = "The connection's name, which runs choose it by.", Required = true };
        var endpoint = new Option<string>("--endpoint") { HelpName = "URL", Description = "An OpenAI-compatible endpoint, including /v1.", Required = true };
        var model = new Option<string>("--model") { HelpName = "M", Description = "The model id at that endpoint.", Required = true };
        var apiKeyEnv = new Option<string>("--api-key-env") { HelpName = "VAR", Description = "The environment variable that holds the API key (stored encrypted; never given on the command line)." };
        var inputPrice = CliValues.Number<decimal>("--input-price", "P", "Price per million input tokens.", "--input-price takes a number (per million tokens), e.g. 0.15", NumberStyles.Number);
        var outputPrice = CliValues.Number<decimal>("--output-price", "P", "Price per million output tokens.", "--output-price takes a number (per million tokens), e.g. 0.15", NumberStyles.Number);
        var command = new Command("add-model",
            "Register a model connection that runs may use (or change the one with this name).")
        {
            name, endpoint, model, apiKeyEnv, inputPrice, outputPrice,
        };
        host.SetHandler(command, (parsed, context) => RunAsync(host, context, parsed.GetValue(apiKeyEnv), key => new ModelConnectionInput(
            parsed.GetRequiredValue(name), parsed.GetRequiredValue(endpoint), parsed.GetRequiredValue(model), key, parsed.GetValue(inputPrice), parsed.GetValue(outputPrice))));
        return command;
    }

    private static async Task<int> RunAsync(CliHost cli, CliContext context, string? keyVariable, Func<string?, ModelConnectionInput> input)
    {
        string? key = null;
        if (keyVariable is not null)
        {
            key = Environment.GetEnvironmentVariable(keyVariable);
            if (string.IsNullOrEmpty(key))
            {
                await context.Error.WriteLineAsync($"error: the environment variable {keyVariable} is empty or not set");
                return OperatorCli.UsageError;
            }
        }

        // Through a runner host: it holds the same Data Protection keys as the portal, which must decrypt the key.
        using var host = RunnerHost.Build(cli, context, work: false);
        await host.StartAsync();
        Validation.WriteResult<ModelConnection> result;
        try
        {
            result = await host.Services.GetRequiredService<ModelConnections>().SaveAsync(input(key), RunnerHost.Operator);
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
}
