using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using MtlPortal.Memories.Transfer;
using MtlPortal.Web.Accounts;

namespace MtlPortal.Web.Transfer;

/// <summary>
/// <c>GET /memories/export</c>: the approved pool as a memory JSONL download (<c>docs/memory-jsonl.md</c>), streamed
/// as it is read, for anyone signed in who may see the pool; <c>GET /memories/template.jsonl</c>: a file to start an
/// import from (<see cref="MemoryTemplate"/>). Imports run on the <c>/memories/transfer</c> page.
/// </summary>
public static class MemoryTransferApi
{
    public const string ExportPath = "/memories/export";

    public const string TemplatePath = "/memories/template.jsonl";

    public static IEndpointRouteBuilder MapMemoryTransferApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(ExportPath, Export).RequireAuthorization(PortalAreas.TransferPolicy);
        app.MapGet(TemplatePath, Template).RequireAuthorization(PortalAreas.TransferPolicy);
        return app;
    }

    private static PushStreamHttpResult Export(HttpContext context, MemoryExporter exporter, TimeProvider clock) =>
        TypedResults.Stream(
            body => exporter.ExportAsync(body, UserIds.Of(context.User), cancellationToken: context.RequestAborted),
            $"{MemoryExporter.ContentType}; charset=utf-8",
            $"mtl-memories-{clock.GetUtcNow().ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture)}.jsonl");

    private static FileContentHttpResult Template() =>
        TypedResults.File(MemoryTemplate.Utf8, $"{MemoryExporter.ContentType}; charset=utf-8", MemoryTemplate.FileName);
}
