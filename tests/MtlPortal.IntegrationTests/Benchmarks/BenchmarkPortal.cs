using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Auditing;
using MtlPortal.Benchmarks;
using MtlPortal.Persistence;
using MtlPortal.Sandbox;
using MtlPortal.Web.Cli;

namespace MtlPortal.IntegrationTests.Benchmarks;

/// <summary>The portal on a database of its own, a folder for files, and the operator CLI pointed at the same database.</summary>
public class BenchmarkPortal : PortalFactory
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"mtl-bench-{Guid.NewGuid().ToString("N")[..12]}");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Directory.CreateDirectory(Folder);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    public ICodeSandbox Sandbox => Services.GetRequiredService<ICodeSandbox>();

    /// <summary>Runs an operator command on this portal's database, as <c>./mtl</c> would.</summary>
    public async Task<(int Exit, string Out, string Error)> CliAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await OperatorCli.RunAsync(args, stdout, stderr, c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = ConnectionString,
            ["Embeddings:Provider"] = PortalFactory.TestEmbeddingProvider,
        }));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    public async Task<BenchmarkImportResult> ImportAsync(string path, BenchmarkImportOptions options)
    {
        await using var file = File.OpenRead(path);
        return await Services.GetRequiredService<BenchmarkImporter>().ImportAsync(file, options, AuditTrail.CliActor);
    }

    public async Task<BenchmarkImportResult> ImportTextAsync(string text, BenchmarkImportOptions options)
    {
        using var file = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        return await Services.GetRequiredService<BenchmarkImporter>().ImportAsync(file, options, AuditTrail.CliActor);
    }

    public async Task<List<BenchmarkTask>> TasksAsync(string benchmark)
    {
        await using var db = await DbAsync();
        return await db.BenchmarkTasks.AsNoTracking().Where(t => t.Benchmark!.Name == benchmark).OrderBy(t => t.Ordinal).ToListAsync();
    }

    public async Task<int> BenchmarkCountAsync(string? name = null)
    {
        await using var db = await DbAsync();
        return await db.Benchmarks.CountAsync(b => name == null || b.Name == name);
    }

    /// <summary>Runs <paramref name="programs"/> in the sandbox all at once (it bounds how many run together).</summary>
    public async Task<SandboxResult[]> RunAllAsync(IEnumerable<SandboxProgram> programs) =>
        await Task.WhenAll(programs.Select(p => Sandbox.RunAsync(p)));
}
