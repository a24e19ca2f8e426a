using MtlPortal.Benchmarks;
using MtlPortal.Retrieval;
using MtlPortal.Memories.Transfer;

namespace MtlPortal.Web.Cli;

/// <summary>
/// Prints progress as "validated 400/1000": about a line per tenth of each phase, and its last. It reports on
/// the caller's thread, so lines come in order (unlike <see cref="Progress{T}"/>, which posts to the thread pool).
/// </summary>
internal sealed class CliProgress(TextWriter output) : IProgress<ImportProgress>, IProgress<ExportProgress>, IProgress<ReembedProgress>, IProgress<BenchmarkImportProgress>, IProgress<VerificationProgress>
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
