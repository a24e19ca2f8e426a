using MtlPortal.Bench;

// Performance harnesses for MTL Portal. Each mode is one class with a Run method; see bench/README.md.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

return options.Mode switch
{
    BenchMode.Index => IndexSearchBenchmark.Run(options),
    BenchMode.Api => ApiThroughputBenchmark.Run(options),
    BenchMode.Sandbox => SandboxBenchmark.Run(options),
    BenchMode.Run => RunBenchmark.Run(options),
    BenchMode.Embeddings => EmbeddingsBenchmark.Run(options),
    BenchMode.Models => ModelsBenchmark.Run(options),
    _ => throw new InvalidOperationException($"Unhandled mode {options.Mode}."),
};
