using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtlPortal.Mcp;

if (args.Any(a => a is "--help" or "-h"))
{
    Console.WriteLine(McpSettings.Usage);
    return 0;
}

var (settings, errors) = McpSettings.Parse(args, Environment.GetEnvironmentVariable);
if (settings is null)
{
    // Standard output is the protocol channel: a message there would read as broken JSON-RPC to the client.
    foreach (var error in errors)
    {
        await Console.Error.WriteLineAsync($"error: {error}");
    }

    await Console.Error.WriteLineAsync($"\n{McpSettings.Usage}");
    return 2;
}

// The empty builder reads no appsettings.json from whatever folder the agent starts this in, and logs nowhere
// until told: everything goes to standard error.
var builder = Host.CreateEmptyApplicationBuilder(settings: null);
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Logging.SetMinimumLevel(LogLevel.Information).AddFilter("ModelContextProtocol", LogLevel.Warning);
builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
builder.Services.AddSingleton(new PortalApi(PortalApi.CreateHttpClient(settings)));
builder.Services.AddMcpServer(o =>
    {
        o.ServerInfo = new() { Name = "mtl-portal", Title = "MTL Portal memories", Version = PortalApi.ServerVersion };
        o.ServerInstructions = ServerText.Instructions;
    })
    .WithStdioServerTransport()
    .WithTools<MemoryTools>();

var host = builder.Build();
host.Services.GetRequiredService<ILogger<PortalApi>>().LogInformation("Serving the memories of {Portal} over stdio.", settings.PortalUrl);
await host.RunAsync();
return 0;
