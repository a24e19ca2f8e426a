using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelContextProtocol.AspNetCore;
using MtlPortal.Mcp;
using MtlPortal.Web.Api;

namespace MtlPortal.Web.Mcp;

/// <summary>
/// The MCP tools over streamable HTTP at <c>/mcp</c>, so a remote agent needs only the portal's address and an API
/// key. The tools are the stdio server's own (<see cref="MemoryTools"/>), and like it they are a client of the agent
/// API: each tool call is a request to <c>/api/v1</c> on this portal's own listening address with the caller's key.
/// So both transports answer alike, and scopes, rate limits, validation and the search log apply once, in the API.
/// </summary>
public static class McpHttpExtensions
{
    public const string Path = "/mcp";
    private const string LoopbackClient = "mcp-loopback";

    public static WebApplicationBuilder AddPortalMcpHttp(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddHttpClient(LoopbackClient)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // The request goes to this very process: an HTTPS listener's certificate is the portal's own, whatever it is.
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            });
        builder.Services.AddScoped(services =>
        {
            var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(LoopbackClient);
            http.BaseAddress = OwnAddress(services.GetRequiredService<IServer>());
            http.Timeout = TimeSpan.FromSeconds(60);
            http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("MtlPortal.Mcp.Http", PortalApi.ServerVersion));
            var caller = services.GetRequiredService<IHttpContextAccessor>().HttpContext?.Request.Headers.Authorization.ToString();
            if (AuthenticationHeaderValue.TryParse(caller, out var key))
            {
                http.DefaultRequestHeaders.Authorization = key;
            }

            return new PortalApi(http);
        });
        builder.Services.AddMcpServer(o =>
            {
                o.ServerInfo = new() { Name = "mtl-portal", Title = "MTL Portal memories", Version = PortalApi.ServerVersion };
                o.ServerInstructions = ServerText.Instructions;
            })
            // Stateless: any instance behind a load balancer can answer any request, and no session outlives a call.
            .WithHttpTransport(o => o.Stateless = true)
            .WithMemoryTools();
        return builder;
    }

    /// <summary><c>/mcp</c>, for callers with an API key only; each tool then needs the scope its API endpoint needs.</summary>
    public static WebApplication MapPortalMcp(this WebApplication app)
    {
        // Not part of the REST document: MCP clients discover the tools with tools/list.
        app.MapMcp(Path).RequireAuthorization(ApiExtensions.ApiKeyPolicy).ExcludeFromDescription();
        return app;
    }

    /// <summary>Where this process listens, as a client on this machine reaches it (a wildcard host becomes loopback; plain HTTP preferred).</summary>
    internal static Uri OwnAddress(IServer server)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var chosen = addresses.OrderBy(a => a.StartsWith("https:", StringComparison.OrdinalIgnoreCase) ? 1 : 0).FirstOrDefault()
            ?? throw new InvalidOperationException("The portal is not listening on any address, so /mcp cannot reach its API.");
        var uri = new UriBuilder(chosen.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            uri.Host = ip.Equals(IPAddress.Any) ? "127.0.0.1" : "[::1]";
        }

        uri.Path = "/";
        return uri.Uri;
    }
}
