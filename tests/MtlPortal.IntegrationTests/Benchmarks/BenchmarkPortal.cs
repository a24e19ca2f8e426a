using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Auditing;
using MtlPortal.Benchmarks;
using MtlPortal.Sandbox;

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
