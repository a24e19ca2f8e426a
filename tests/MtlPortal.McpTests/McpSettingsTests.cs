using MtlPortal.Mcp;

namespace MtlPortal.McpTests;

/// <summary>How the server reads its configuration: arguments over environment variables.</summary>
public class McpSettingsTests
{
    private static Func<string, string?> Environment(string? url = null, string? key = null) =>
        name => name switch
        {
            McpSettings.UrlVariable => url,
            McpSettings.ApiKeyVariable => key,
            _ => null,
        };

    [Fact]
    public void Parse_EnvironmentOnly_UsesIt_WithATrailingSlashSoAPathPrefixSurvives()
    {
        var (settings, errors) = McpSettings.Parse([], Environment("https://tools.example.org/mtl", "mtl_secret"));

        Assert.Empty(errors);
        Assert.Equal(new Uri("https://tools.example.org/mtl/"), settings!.PortalUrl);
        Assert.Equal("https://tools.example.org/mtl/api/v1/feedback", new Uri(settings.PortalUrl, "api/v1/feedback").ToString());
        Assert.Equal("mtl_secret", settings.ApiKey);
    }

    [Fact]
    public void Parse_CommandLine_WinsOverTheEnvironment_InBothForms()
    {
        var (settings, errors) = McpSettings.Parse(["--url", "http://localhost:6000", "--api-key=mtl_cli"], Environment("http://localhost:5080", "mtl_env"));

        Assert.Empty(errors);
        Assert.Equal((new Uri("http://localhost:6000/"), "mtl_cli"), (settings!.PortalUrl, settings.ApiKey));
    }

    [Fact]
    public void Parse_NothingGiven_NamesBothVariables()
    {
        var (settings, errors) = McpSettings.Parse([], Environment(key: "  "));

        Assert.Null(settings);
        Assert.Collection(errors, e => Assert.Contains("MTL_PORTAL_URL", e), e => Assert.Contains("MTL_API_KEY", e));
    }

    [Theory]
    [InlineData("localhost:5080")]
    [InlineData("ftp://example.org")]
    [InlineData("not a url")]
    public void Parse_AddressThatIsNotHttp_IsRefused(string url)
    {
        var (settings, errors) = McpSettings.Parse([], Environment(url, "mtl_secret"));

        Assert.Null(settings);
        Assert.Contains("is not an http or https address", Assert.Single(errors));
    }

    [Fact]
    public void Parse_UnknownArgumentOrMissingValue_IsRefused()
    {
        var (settings, errors) = McpSettings.Parse(["--verbose", "--api-key"], Environment("http://localhost:5080", "mtl_env"));

        Assert.Null(settings);
        Assert.Equal(["Unknown argument '--verbose'.", "--api-key needs a value."], errors);
    }
}
