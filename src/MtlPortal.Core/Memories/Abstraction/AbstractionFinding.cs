namespace MtlPortal.Memories.Abstraction;

/// <summary>
/// One thing that ties a memory to a single domain. <c>Field.Text.Substring(Start, Length) == Excerpt</c>,
/// so the UI can highlight exactly the offending span.
/// </summary>
/// <param name="RuleId">The <see cref="AbstractionRule.Id"/> of the rule that fired.</param>
/// <param name="Field">The <see cref="LintField.Name"/> of the field the span is in.</param>
/// <param name="Start">UTF-16 index of the span's first character in the field's text.</param>
/// <param name="Length">Length of the span in UTF-16 code units.</param>
/// <param name="Excerpt">The span's text.</param>
/// <param name="Message">What is wrong and how to fix it, written for the contributor.</param>
public sealed record AbstractionFinding(string RuleId, string Field, int Start, int Length, string Excerpt, string Message);
