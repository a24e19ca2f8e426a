using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Components;

namespace MtlPortal.Web.Hosting;

/// <summary>
/// The headers every response carries: no MIME sniffing, no full URLs in Referer to other sites, and a content
/// security policy that lets the Blazor Server app and MudBlazor work (scripts only from the site and its import
/// map; the circuit's websocket; inline styles, which MudBlazor sets on elements) and nothing else.
/// </summary>
public static class SecurityHeaders
{
    // The import map is an inline script; its hash (one per set of assets, so per build) lets exactly it run.
    private static readonly ConcurrentDictionary<string, string> ImportMapHashes = new();

    public static IApplicationBuilder UsePortalSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers.XFrameOptions = "DENY";
            // Routing runs after this middleware, so the page's endpoint (and its import map) is known only when the
            // response starts.
            context.Response.OnStarting(() =>
            {
                var metadata = context.GetEndpoint()?.Metadata;
                var importMap = (metadata?.GetMetadata<ImportMapDefinition>()
                    ?? (metadata?.GetMetadata<ResourceAssetCollection>() is { } assets ? ImportMapDefinition.FromResourceCollection(assets) : null))?.ToString();
                var scripts = importMap is null ? "'self'" : $"'self' '{ImportMapHashes.GetOrAdd(importMap, Hash)}'";
                headers.ContentSecurityPolicy =
                    $"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
                    "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
                return Task.CompletedTask;
            });
            await next(context);
        });

    private static string Hash(string script) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script)));
}
