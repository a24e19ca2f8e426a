using System.CommandLine;
using MtlPortal.Auditing;
using MtlPortal.Benchmarks;
using MtlPortal.Sandbox;

namespace MtlPortal.Web.Cli.Commands;

/// <summary><c>mtl import-benchmark FILE --format F --name NAME</c>: a benchmark's tasks, all or nothing.</summary>
internal static class ImportBenchmarkCommand
{
    private const string Formats = "humaneval, humaneval-x, mbpp, mbpp-sanitized, tasks";

    public static Command Create(CliHost host)
    {
        var file = CliValues.ExistingFile("FILE", "The benchmark file, plain or .gz (docs/benchmark-jsonl.md).");
        var format = new Option<BenchmarkFormat?>("--format")
        {
            HelpName = "humaneval|humaneval-x|mbpp|mbpp-sanitized|tasks",
            Description = "The file's format.",
            Required = true,
            CustomParser = result => TaskParsers.ParseFormat(CliValues.Single(result))
                ?? CliValues.Fail<BenchmarkFormat?>(result, $"--format is one of {Formats} (not '{CliValues.Single(result)}')."),
        };
        var name = new Option<string>("--name") { HelpName = "NAME", Description = "The benchmark's name, also its domain: the one leave-one-domain-out excludes from retrieval. A name in use is refused unless --replace.", Required = true };
        var language = new Option<SandboxLanguage?>("--language")
        {
            HelpName = "LANGUAGE",
            Description = $"The tasks' language when the file does not say ({string.Join(", ", SandboxLanguages.All.Select(l => l.Name()))}).",
            CustomParser = result => SandboxLanguages.Parse(CliValues.Single(result))
                ?? CliValues.Fail<SandboxLanguage?>(result, $"--language is one of {string.Join(", ", SandboxLanguages.All.Select(l => l.Name()))} (not '{CliValues.Single(result)}')."),
        };
        var replace = new Option<bool>("--replace") { Description = "Replace the benchmark of that name, if there is one." };
        var verify = new Option<bool>("--verify") { Description = "Then run every reference solution in the sandbox (Ctrl+C stops; finished results are kept)." };
        var command = new Command("import-benchmark",
            "Import a benchmark (plain or .gz; formats in docs/benchmark-jsonl.md). Every record is checked first; a file with any error imports nothing.")
        {
            file, format, name, language, replace, verify,
        };
        host.SetHandler(command, (parsed, context) =>
        {
            var path = parsed.GetRequiredValue(file);
            var options = new BenchmarkImportOptions(
                parsed.GetRequiredValue(name), parsed.GetValue(format)!.Value, Path.GetFileName(path), parsed.GetValue(language), parsed.GetValue(replace));
            return RunAsync(context, path, options, parsed.GetValue(verify));
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string path, BenchmarkImportOptions options, bool verify)
    {
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
        return verify ? await VerifyReferencesCommand.VerifyAsync(context, options.Name.Trim()) : 0;
    }
}
