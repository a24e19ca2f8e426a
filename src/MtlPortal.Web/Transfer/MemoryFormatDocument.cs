using Markdig;

namespace MtlPortal.Web.Transfer;

/// <summary>
/// docs/memory-jsonl.md, embedded in the portal at build time and rendered as HTML, so the format page people read
/// inside the portal is the document the repository keeps, not a copy that drifts from it.
/// </summary>
public static class MemoryFormatDocument
{
    public const string PagePath = "/memories/format";

    private const string ResourceName = "MtlPortal.Web.docs.memory-jsonl.md";

    private static readonly Lazy<string> Source = new(Read);
    private static readonly Lazy<string> Rendered = new(() =>
        Markdig.Markdown.ToHtml(Source.Value, new MarkdownPipelineBuilder().UsePipeTables().UseEmphasisExtras().DisableHtml().Build()));

    /// <summary>The document's Markdown, as the repository has it.</summary>
    public static string Markdown => Source.Value;

    /// <summary>The document as HTML (raw HTML in the Markdown is escaped, not passed through).</summary>
    public static string Html => Rendered.Value;

    private static string Read()
    {
        using var stream = typeof(MemoryFormatDocument).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The portal was built without {ResourceName}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
