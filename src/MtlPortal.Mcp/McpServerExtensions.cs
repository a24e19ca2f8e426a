using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MtlPortal.Mcp;

public static class McpServerExtensions
{
    /// <summary>
    /// The MCP server over stdio with the memory tools, a client of the portal at <paramref name="settings"/>, logging
    /// to standard error only: standard output carries the protocol.
    /// </summary>
    /// <remarks>
    /// Meant for <see cref="Host.CreateEmptyApplicationBuilder"/>, which reads no appsettings.json from whatever
    /// folder the agent starts the server in and logs nowhere until told.
    /// </remarks>
    public static HostApplicationBuilder AddPortalMcpServer(this HostApplicationBuilder builder, McpSettings settings)
    {
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
            .WithMemoryTools();
        return builder;
    }
}
