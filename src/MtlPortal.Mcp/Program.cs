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

var builder = Host.CreateEmptyApplicationBuilder(settings: null);
builder.AddPortalMcpServer(settings);
var host = builder.Build();
host.Services.GetRequiredService<ILogger<PortalApi>>().LogInformation("Serving the memories of {Portal} over stdio.", settings.PortalUrl);
await host.RunAsync();
return 0;
