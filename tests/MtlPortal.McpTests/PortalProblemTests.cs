using System.Net;
using System.Net.Http.Headers;
using MtlPortal.Mcp;

namespace MtlPortal.McpTests;

/// <summary>How the portal's refusals are worded for the agent that called a tool.</summary>
public class PortalProblemTests
{
    [Fact]
    public void Describe_ValidationProblem_ListsEveryFieldErrorAndSaysToCorrectThem()
    {
        const string body = """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"k":["k is between 1 and 50."],"":["The body is not valid JSON."]}}""";

        var text = PortalProblem.Describe(HttpStatusCode.BadRequest, null, body);

        Assert.Equal("""
            The portal answered with status 400: One or more validation errors occurred.
            - k: k is between 1 and 50.
            - (request): The body is not valid JSON.
            Correct the arguments named above and call the tool again.
            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void Describe_TooManyRequests_SaysWhenToRetry()
    {
        const string body = """{"title":"Too many requests for this API key.","status":429,"detail":"Retry after 3 s."}""";

        var text = PortalProblem.Describe(HttpStatusCode.TooManyRequests, new RetryConditionHeaderValue(TimeSpan.FromSeconds(3)), body);

        Assert.Contains("status 429: Too many requests for this API key. Retry after 3 s.", text);
        Assert.EndsWith("Wait 3 seconds, then call the tool again.", text);
    }

    [Fact]
    public void Describe_Unauthorized_PointsAtTheConfiguredKey()
    {
        const string body = """{"title":"An API key is required.","status":401,"detail":"The API key is unknown, revoked or expired, or its user is disabled."}""";

        var text = PortalProblem.Describe(HttpStatusCode.Unauthorized, null, body);

        Assert.StartsWith("The portal answered with status 401: An API key is required. The API key is unknown, revoked or expired, or its user is disabled.", text);
        Assert.Contains("MTL_API_KEY", text);
    }

    [Fact]
    public void Describe_AnswerThatIsNotAProblem_ShowsTheStartOfIt()
    {
        var page = "<html><body>Bad gateway</body></html>" + new string(' ', 10) + new string('x', 1000);

        var text = PortalProblem.Describe(HttpStatusCode.BadGateway, null, page);

        Assert.StartsWith("The portal answered with status 502: <html><body>Bad gateway</body></html>", text);
        Assert.True(text.Length < 400, text);
        Assert.EndsWith("…", text);
    }
}
