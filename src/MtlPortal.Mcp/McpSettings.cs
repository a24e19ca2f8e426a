namespace MtlPortal.Mcp;

/// <summary>
/// Where the portal is and which API key to send: <c>--url</c> / <c>MTL_PORTAL_URL</c> and <c>--api-key</c> /
/// <c>MTL_API_KEY</c>. MCP clients usually pass environment variables; a command-line value wins over one.
/// </summary>
public sealed record McpSettings(Uri PortalUrl, string ApiKey)
{
    public const string UrlVariable = "MTL_PORTAL_URL";
    public const string ApiKeyVariable = "MTL_API_KEY";

    public const string Usage = """
        MtlPortal.Mcp: a stdio MCP server that serves an MTL Portal's approved memories to a coding agent.

        usage: dotnet MtlPortal.Mcp.dll [--url URL] [--api-key KEY]

          --url URL        the portal's address, e.g. http://localhost:5080   (or MTL_PORTAL_URL)
          --api-key KEY    an API key, mtl_...                               (or MTL_API_KEY)

        Create a key with: ./mtl create-api-key --user EMAIL --scopes memories:read,memories:write,feedback:write
        The server speaks JSON-RPC on standard input and output; it logs to standard error.
        """;

    /// <summary>The settings from the arguments and environment, or the reasons they are unusable.</summary>
    public static (McpSettings? Settings, IReadOnlyList<string> Errors) Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var errors = new List<string>();
        string? url = null;
        string? key = null;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = args[i].IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (args[i][..eq], args[i][(eq + 1)..]) : (args[i], null);
            if (name is not ("--url" or "--api-key"))
            {
                errors.Add($"Unknown argument '{args[i]}'.");
                continue;
            }

            var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : null);
            if (value is null)
            {
                errors.Add($"{name} needs a value.");
            }
            else if (name == "--url")
            {
                url = value;
            }
            else
            {
                key = value;
            }
        }

        url = NullIfBlank(url) ?? NullIfBlank(environment(UrlVariable));
        key = NullIfBlank(key) ?? NullIfBlank(environment(ApiKeyVariable));
        Uri? portal = null;
        if (url is null)
        {
            errors.Add($"The portal's address is missing: set {UrlVariable} or pass --url (e.g. http://localhost:5080).");
        }
        else if (!Uri.TryCreate(url, UriKind.Absolute, out portal) || portal.Scheme is not ("http" or "https"))
        {
            errors.Add($"'{url}' is not an http or https address; {UrlVariable} / --url is the portal's address, e.g. http://localhost:5080.");
        }

        if (key is null)
        {
            errors.Add($"The API key is missing: set {ApiKeyVariable} or pass --api-key (create one with './mtl create-api-key').");
        }

        return errors.Count > 0 ? (null, errors) : (new McpSettings(WithTrailingSlash(portal!), key!), errors);
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // Relative API paths resolve under the base address only when it ends in '/', so a portal served below a
    // path (https://host/mtl) keeps that path.
    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? uri : new UriBuilder(uri) { Path = uri.AbsolutePath + "/" }.Uri;
}
