using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace MtlPortal.Web.Api;

/// <summary>
/// The OpenAPI document of the agent API, shaped for generated clients: only <c>/api/v1</c> (the portal's own UI
/// routes are not part of the contract), the API key declared once as a bearer scheme and required on every
/// operation, and server addresses a client can append paths to.
/// </summary>
public static class ApiDocument
{
    public const string Path = "/openapi/v1.json";
    public const string SecuritySchemeName = "apiKey";

    public static IServiceCollection AddPortalApiDocument(this IServiceCollection services)
    {
        // The document's number types follow the serializer's: the web default also reads numbers from strings,
        // which would put "number | string" in the schema. The API reads its bodies strictly (ApiJson) to match.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        services.AddOpenApi(o =>
        {
            o.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "MTL Portal agent API";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key made on the portal's API keys page, sent as 'Authorization: Bearer mtl_...'. Each operation also needs the key's scope.",
                };
                var requirement = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, document)] = [] };
                foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
                {
                    operation.Security = [requirement];
                }

                foreach (var server in document.Servers ?? [])
                {
                    server.Url = server.Url?.TrimEnd('/');
                }

                return Task.CompletedTask;
            });
        });
        return services;
    }
}
