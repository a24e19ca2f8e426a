using System.Globalization;
using MtlPortal.Embeddings;

namespace MtlPortal.Bench;

internal enum BenchMode
{
    Index,
    Api,
    Sandbox,
    Run,
    Embeddings,
    Models,
}

/// <summary>Command-line options shared by the benchmark modes.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project bench/MtlPortal.Bench -- [options]
          --mode index|api|sandbox|run|embeddings|models what to measure (default index)
          --api                   same as --mode api
          --sizes 1000,10000,...  pool sizes (default 1000,10000,100000)
          --dims 384,1536         embedding dimensions (default 384,1536)
          --queries N             timed searches per pool (default 200)
          --k N                   hits per search (default 3; recall is measured at this k)
          --baseline-seconds S    time budget per exact-scan baseline; at least 5 queries run (default 15)
          --seed N                data seed (default 42)
          --out DIR               where the CSV goes (default bench/results under the repository root)
          --quick                 sizes 1000,10000,100000 at 384 dims, 50 queries, 5 s baselines
                                  (api: concurrency 8,32, 2 s warm-up, 5 s per step)
        api mode (the search endpoint over HTTP, against the Release build of the web app as a child process):
          --memories N            approved insight memories in the pool (default 10000)
          --rates 1500,...        open-loop steps first: searches due at this many per second (default 1500; 0: none)
          --concurrency 4,8,...   then closed-loop steps with this many concurrent workers (default 4,8,16,32)
          --warmup S              unmeasured seconds before each step (default 3)
          --duration S            measured seconds per step (default 10)
          --unique-queries        every search a text never sent before (no query-cache help); targets 300/s, p99 50 ms
          --portal-env NAME=VALUE an environment variable for the portal process (repeatable), to compare settings,
                                  e.g. DOTNET_gcServer=0 or Logging__LogLevel__Default=Warning
        embeddings mode (the local model in process: one query, concurrent queries, memories in batches of 64):
          --threads 1,2           model threads to compare (default 1,2); also --queries, --concurrency, --duration
          --call-sizes 16,64      texts per model call to compare (default 16, the portal's)
        models mode (all-MiniLM-L6-v2 and arctic-embed-xs raw, same texts): --threads, --queries
        sandbox mode (HumanEval-X reference solutions verified in the bubblewrap sandbox):
          --languages python,js   which HumanEval-X languages (default python,js,java,cpp,go,rust)
          --tasks N, --limit N    the first N tasks of each (default 164: all)
          --data DIR              the shared data folder (default ../shared/data beside the repository)
        run mode (a whole run: HumanEval-X Python x {zero-shot, insight} x attempts, portal as a child process,
        a stand-in model in this process that answers at once with the reference solution):
          --tasks N, --limit N    the first N tasks (default 164: all)
          --attempts N            attempts per task and condition (default 3)
          --portal-env NAME=VALUE as above, e.g. Runner__WorkerCount=16
        """;

    public BenchMode Mode { get; init; } = BenchMode.Index;

    public IReadOnlyList<int> Sizes { get; init; } = [1_000, 10_000, 100_000];

    public IReadOnlyList<int> Dimensions { get; init; } = [384, 1536];

    public int Queries { get; init; } = 200;

    public int K { get; init; } = 3;

    public double BaselineSeconds { get; init; } = 15;

    public int Seed { get; init; } = 42;

    public string? OutputDirectory { get; init; }

    public int Memories { get; init; } = 10_000;

    public IReadOnlyList<int> Rates { get; init; } = [1_500];

    public IReadOnlyList<int> Concurrency { get; init; } = [4, 8, 16, 32];

    public double WarmupSeconds { get; init; } = 3;

    public double DurationSeconds { get; init; } = 10;

    public bool UniqueQueries { get; init; }

    public IReadOnlyList<int> Threads { get; init; } = [1, 2];

    /// <summary>Texts per model call for <c>--mode embeddings</c> (the portal's default first).</summary>
    public IReadOnlyList<int> CallSizes { get; init; } = [LocalEmbeddingGenerator.DefaultModelCallSize];

    public IReadOnlyDictionary<string, string> PortalEnvironment { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> Languages { get; init; } = ["python", "js", "java", "cpp", "go", "rust"];

    public int Tasks { get; init; } = 164;

    public int RunAttempts { get; init; } = 3;

    public string? DataDirectory { get; init; }

    /// <summary>
    /// The shared data folder: <c>--data</c>, else the nearest <c>shared/data</c> beside the repository or a folder
    /// above it (a work tree may sit deeper than the clone), else /work/shared/data.
    /// </summary>
    public string SharedDataFolder()
    {
        if (DataDirectory is not null)
        {
            return DataDirectory;
        }

        for (var dir = new DirectoryInfo(ResultsFile.RepositoryRoot()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return "/work/shared/data";
    }

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        if (args.Contains("--quick"))
        {
            options = options with { Dimensions = [384], Queries = 50, BaselineSeconds = 5, Concurrency = [8, 32], WarmupSeconds = 2, DurationSeconds = 5 };
        }

        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--quick" => options,
                "--api" => options with { Mode = BenchMode.Api },
                "--help" or "-h" => throw new ArgumentException("MtlPortal.Bench measures retrieval performance: the index (--mode index) and the search API (--mode api)."),
                "--mode" => options with { Mode = Enum.Parse<BenchMode>(Value(), ignoreCase: true) },
                "--sizes" => options with { Sizes = Integers(Value()) },
                "--dims" => options with { Dimensions = Integers(Value()) },
                "--queries" => options with { Queries = Positive(Value()) },
                "--k" => options with { K = Positive(Value()) },
                "--baseline-seconds" => options with { BaselineSeconds = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--seed" => options with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--out" => options with { OutputDirectory = Value() },
                "--memories" => options with { Memories = Positive(Value()) },
                "--concurrency" => options with { Concurrency = Integers(Value()) },
                "--rates" => options with { Rates = Value() is var rates && rates == "0" ? [] : Integers(rates) },
                "--warmup" => options with { WarmupSeconds = Seconds(Value(), allowZero: true) },
                "--duration" => options with { DurationSeconds = Seconds(Value(), allowZero: false) },
                "--unique-queries" => options with { UniqueQueries = true },
                "--threads" => options with { Threads = Integers(Value()) },
                "--call-sizes" => options with { CallSizes = Integers(Value()) },
                "--portal-env" => options with { PortalEnvironment = WithVariable(options.PortalEnvironment, Value()) },
                "--languages" => options with { Languages = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] },
                "--tasks" or "--limit" => options with { Tasks = Positive(Value()) },
                "--attempts" => options with { RunAttempts = Positive(Value()) },
                "--data" => options with { DataDirectory = Value() },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        return options;
    }

    // Accepts 1e5-style shorthands, since pool sizes are powers of ten.
    private static int[] Integers(string list) =>
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Positive)];

    private static Dictionary<string, string> WithVariable(IReadOnlyDictionary<string, string> variables, string assignment)
    {
        int equals = assignment.IndexOf('=', StringComparison.Ordinal);
        return equals > 0
            ? new Dictionary<string, string>(variables) { [assignment[..equals]] = assignment[(equals + 1)..] }
            : throw new ArgumentException($"'{assignment}' is not NAME=VALUE.");
    }

    private static double Seconds(string text, bool allowZero)
    {
        double value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return (allowZero ? value >= 0 : value > 0) && value <= 3600
            ? value
            : throw new ArgumentException($"'{text}' is not a number of seconds between {(allowZero ? "0" : "0 (excluded)")} and 3600.");
    }

    private static int Positive(string text)
    {
        double value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return value >= 1 && value <= int.MaxValue && value == Math.Floor(value)
            ? (int)value
            : throw new ArgumentException($"'{text}' is not a positive whole number.");
    }
}
