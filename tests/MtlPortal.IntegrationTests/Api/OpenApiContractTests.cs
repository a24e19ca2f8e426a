using System.Net;
using System.Text.Json;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace MtlPortal.IntegrationTests.Api;

/// <summary>The OpenAPI document as a client generator reads it: valid, and saying what the API really accepts.</summary>
public class OpenApiContractTests(ApiPortal portal) : IClassFixture<ApiPortal>
{
    private async Task<(OpenApiDocument Document, JsonElement Json)> DocumentAsync()
    {
        var response = await portal.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var read = OpenApiDocument.Parse(text, "json");
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.NotNull(read.Document);
        return (read.Document!, JsonDocument.Parse(text).RootElement);
    }

    private static IEnumerable<(string Path, HttpMethod Method, OpenApiOperation Operation)> Operations(OpenApiDocument document) =>
        document.Paths.SelectMany(p => (p.Value.Operations?.AsEnumerable() ?? []).Select(o => (p.Key, o.Key, o.Value)));

    [Fact]
    public async Task Document_PassesTheOpenApiValidator_WithNoErrors()
    {
        var (document, _) = await DocumentAsync();

        var errors = document.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? [];

        Assert.Empty(errors.Select(e => $"{e.Pointer}: {e.Message}"));
    }

    [Fact]
    public async Task EveryOperation_HasAUniqueOperationId_AndRequiresTheBearerKey()
    {
        var (document, _) = await DocumentAsync();

        var scheme = Assert.Single(document.Components!.SecuritySchemes!);
        Assert.Equal(SecuritySchemeType.Http, scheme.Value.Type);
        Assert.Equal("bearer", scheme.Value.Scheme);
        var operations = Operations(document).ToList();
        Assert.True(operations.Count >= 7, $"only {operations.Count} operations");
        foreach (var (path, method, operation) in operations)
        {
            Assert.False(string.IsNullOrEmpty(operation.OperationId), $"{method} {path} has no operationId");
            var requirement = Assert.Single(operation.Security ?? []);
            Assert.Equal(scheme.Key, Assert.Single(requirement.Keys).Reference.Id);
        }

        Assert.Equal(operations.Count, operations.Select(o => o.Operation.OperationId).Distinct().Count());
    }

    [Fact]
    public async Task OptionalRequestFields_AreNotRequired_AndNumbersAreNumbersOnly()
    {
        var (_, json) = await DocumentAsync();
        var schemas = json.GetProperty("components").GetProperty("schemas");
        string[] Required(string schema) =>
            schemas.GetProperty(schema).TryGetProperty("required", out var r) ? [.. r.EnumerateArray().Select(x => x.GetString()!)] : [];
        string[] Types(string schema, string property) => schemas.GetProperty(schema).GetProperty("properties").GetProperty(property).GetProperty("type") switch
        {
            { ValueKind: JsonValueKind.Array } many => [.. many.EnumerateArray().Select(t => t.GetString()!)],
            var one => [one.GetString()!],
        };

        Assert.Equal(["query"], Required("SearchBody"));
        Assert.Equal(["outcome", "retrievalId"], Required("FeedbackBody").Order());
        Assert.Equal(["decision"], Required("ReviewBody"));
        Assert.Equal(["integer", "null"], Types("SearchBody", "k").Order());
        Assert.Equal(["integer"], Types("ApiSearchHit", "rank"));
        Assert.Equal(["number"], Types("ApiSearchHit", "score"));
    }

    [Fact]
    public async Task Document_HoldsOnlyTheAgentApi_AndServerUrlsWithoutATrailingSlash()
    {
        var (document, _) = await DocumentAsync();

        Assert.All(document.Paths.Keys, path => Assert.StartsWith("/api/v1/", path, StringComparison.Ordinal));
        Assert.DoesNotContain("/account/logout", document.Paths.Keys);
        Assert.DoesNotContain("/memories/export", document.Paths.Keys);
        Assert.NotEmpty(document.Servers ?? []);
        Assert.All(document.Servers!, server => Assert.False(server.Url!.EndsWith('/'), server.Url));
    }

    [Fact]
    public async Task ANumberSentAsAString_IsRefusedWithTheFieldNamed_AsTheDocumentSays()
    {
        var client = await portal.KeyClientAsync(portal.Author, MtlPortal.Agents.ApiScopes.MemoriesRead);

        var response = await client.PostAsync("/api/v1/memories/search",
            new StringContent("""{"query":"check the tests before finishing","k":"3"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("k", out _), errors.ToString());
    }
}
