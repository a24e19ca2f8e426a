namespace MtlPortal.Memories.Abstraction;

/// <summary>
/// Flags what ties a memory to one domain (paths, code, traces, literals, benchmark and repository names)
/// and scores how abstract it is. Pure and stateless, so the editor can run it on every keystroke and the
/// review page can run it again and get the same findings.
/// </summary>
/// <remarks>
/// Rules run from the most to the least binding: fenced code blocks, terminal sessions, stack traces,
/// indented code blocks, inline code, URLs, file paths, known terms, quoted literals, identifiers, magic
/// numbers. A span that overlaps one an earlier rule took is dropped, so each character is explained by at
/// most one finding (a path inside a code block is part of the code block). The sentence-limit rule looks at
/// the whole field and is reported alongside.
/// </remarks>
public sealed class AbstractionLinter
{
    /// <summary>Lints the fields of one memory.</summary>
    /// <param name="fields">The memory's text fields, in the order the UI shows them.</param>
    /// <param name="knownDomainTerms">
    /// Names of source domains and repositories known to the pool, matched as whole words in any case;
    /// multi-word terms allowed. Well-known benchmark names (<see cref="KnownBenchmarks"/>) are always matched.
    /// </param>
    public AbstractionReport Lint(IReadOnlyList<LintField> fields, IReadOnlyCollection<string>? knownDomainTerms = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var domainTerms = DomainTerms.From(knownDomainTerms);
        var findings = new List<AbstractionFinding>();
        var score = 1.0;
        foreach (var field in fields)
        {
            score *= CollectFindings(field, domainTerms, findings);
        }

        return new AbstractionReport(score, findings, HasText: fields.Any(f => !string.IsNullOrWhiteSpace(f.Text)));
    }

    /// <summary>Adds the field's findings in position order and returns the factor they multiply the score by.</summary>
    private static double CollectFindings(LintField field, DomainTerms domainTerms, List<AbstractionFinding> findings)
    {
        var text = field.Text;
        var spans = new SpanCollector(text);
        var lines = TextLine.Split(text);

        BlockDetectors.FindFencedCodeBlocks(spans, lines);
        BlockDetectors.FindTerminalSessions(spans, lines);
        BlockDetectors.FindStackTraces(spans, lines);
        BlockDetectors.FindIndentedCodeBlocks(spans, lines);
        TokenDetectors.FindInlineCode(spans);
        TokenDetectors.FindUrls(spans);
        TokenDetectors.FindFilePaths(spans);
        TokenDetectors.FindKnownTerms(spans, domainTerms);
        TokenDetectors.FindQuotedLiterals(spans);
        TokenDetectors.FindIdentifiers(spans);
        TokenDetectors.FindMagicNumbers(spans);

        var factor = 1.0;
        var fieldFindings = new List<AbstractionFinding>(spans.Spans.Count + 1);
        foreach (var (rule, start, length, message) in spans.Spans)
        {
            fieldFindings.Add(new AbstractionFinding(rule.Id, field.Name, start, length, text.Substring(start, length), message));
            factor *= 1 - rule.Weight;
        }

        if (CheckSentenceLimit(field.Name, text, field.MinSentences, field.MaxSentences) is { } limit)
        {
            fieldFindings.Add(limit);
            factor *= 1 - AbstractionRules.SentenceLimit.Weight;
        }

        // Wider spans first at the same start, so the sentence-limit finding leads its field.
        findings.AddRange(fieldFindings.OrderBy(f => f.Start).ThenByDescending(f => f.Length));
        return factor;
    }

    private static AbstractionFinding? CheckSentenceLimit(string fieldName, string text, int? min, int? max)
    {
        // An empty field is a missing required field, which the form and the import report as such; counting its
        // sentences would score a blank form before anything was written.
        if ((min is null && max is null) || string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var count = SentenceCounter.Count(text);
        if (count >= (min ?? 0) && count <= (max ?? int.MaxValue))
        {
            return null;
        }

        var start = text.Length - text.AsSpan().TrimStart().Length;
        var length = text.AsSpan().Trim().Length;
        var message = $"Has {Sentences(count)}; this field takes {DescribeLimit(min, max)}."
            + (count > (max ?? int.MaxValue) ? " Keep only the lesson that transfers." : "");
        return new AbstractionFinding(AbstractionRules.SentenceLimit.Id, fieldName, start, length, text.Substring(start, length), message);
    }

    private static string DescribeLimit(int? min, int? max) => (min, max) switch
    {
        ({ } lo, { } hi) when lo == hi => $"exactly {Sentences(lo)}",
        ({ } lo, { } hi) => $"{lo}–{hi} sentences",
        (null, { } hi) => $"at most {Sentences(hi)}",
        ({ } lo, null) => $"at least {Sentences(lo)}",
        _ => "any number of sentences",
    };

    private static string Sentences(int n) => n == 1 ? "1 sentence" : $"{n} sentences";
}
