using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MtlPortal.Memories.Abstraction;
using MtlPortal.Web.Components.Memories;

namespace MtlPortal.UnitTests.Review;

public class HighlightedTextTests
{
    private static AbstractionFinding Finding(string text, string excerpt, string rule = "identifier", string field = "content")
    {
        var start = text.IndexOf(excerpt, StringComparison.Ordinal);
        return new AbstractionFinding(rule, field, start, excerpt.Length, excerpt, $"About {excerpt}.");
    }

    private static async Task<string> RenderAsync(string text, params AbstractionFinding[] findings)
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(HighlightedText.Field)] = "content",
                [nameof(HighlightedText.Text)] = text,
                [nameof(HighlightedText.Findings)] = findings,
            });
            return (await renderer.RenderComponentAsync<HighlightedText>(parameters)).ToHtmlString();
        });
    }

    [Fact]
    public void Split_TwoFindings_MarksExactlyTheirSpans()
    {
        const string Text = "Call getUser in utils.py first.";

        var parts = HighlightedText.Split(Text, [Finding(Text, "utils.py", "file-path"), Finding(Text, "getUser")]);

        Assert.Equal(["Call ", "getUser", " in ", "utils.py", " first."], parts.Select(p => p.Text));
        Assert.Equal([null, "identifier", null, "file-path", null], parts.Select(p => p.Finding?.RuleId));
    }

    [Fact]
    public void Split_OverlappingOrOutOfRangeFinding_IsLeftUnmarked()
    {
        const string Text = "Run os.path.join here.";
        var inner = new AbstractionFinding("identifier", "content", 7, 4, "path", "Overlaps.");
        var beyond = new AbstractionFinding("identifier", "content", 20, 10, "here.xxxxx", "Past the end.");

        var parts = HighlightedText.Split(Text, [Finding(Text, "os.path.join"), inner, beyond]);

        Assert.Equal(["Run ", "os.path.join", " here."], parts.Select(p => p.Text));
        Assert.Single(parts, p => p.Finding is not null);
    }

    [Fact]
    public async Task Render_MarkupInTheText_IsShownAsTextWithTheFindingsMessageAsTooltip()
    {
        const string Text = "Never paste <script>alert(1)</script> or `rm -rf` here.";

        var html = await RenderAsync(Text, Finding(Text, "`rm -rf`", "inline-code"));

        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Matches("<mark class=\"finding\" title=\"Inline code: About `rm -rf`.\" data-rule=\"inline-code\"[^>]*>`rm -rf`</mark>", html);
    }

    [Fact]
    public async Task Render_SentenceLimitFinding_IsListedUnderTheFieldInsteadOfMarkingAllOfIt()
    {
        const string Text = "One. Two. Three. Four.";
        var limit = new AbstractionFinding("sentence-limit", "content", 0, Text.Length, Text, "Has 4 sentences; this field takes 1–3 sentences.");

        var html = await RenderAsync(Text, limit);

        Assert.DoesNotContain("<mark", html);
        Assert.Contains("Sentence limit: Has 4 sentences; this field takes 1–3 sentences.", System.Net.WebUtility.HtmlDecode(html));
    }
}
