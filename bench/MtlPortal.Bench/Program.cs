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
    // Extension point: the API-throughput benchmark (requests/s and latency through the HTTP API) goes here as
    // ApiThroughputBenchmark.Run(options), reusing SyntheticPool, LatencyStats and ResultsFile.
    BenchMode.Api => NotBuiltYet("api"),
    _ => throw new InvalidOperationException($"Unhandled mode {options.Mode}."),
};

static int NotBuiltYet(string mode)
{
    Console.Error.WriteLine($"The '{mode}' benchmark is not built yet; bench/README.md says where it plugs in.");
    return 2;
}
