namespace MtlPortal.Memories.Abstraction;

/// <summary>
/// The linter's verdict on a memory.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Score"/> is the product of <c>(1 - weight)</c> over all findings, where the weight is the
/// rule's <see cref="AbstractionRule.Weight"/>. So a memory without findings scores 1, one identifier
/// (weight 0.45) costs almost half, a code block or stack trace (0.7) leaves under a third, and repeated findings
/// compound without ever going below 0. A product rather than a sum keeps the score in [0, 1] without
/// clamping, and makes the tenth identifier cost less than the first, which matches how readers judge:
/// once a memory is clearly tied to one codebase, one more name changes little. The weights are set so that a
/// single leak of any kind puts an insight under the default minimum of 0.60 (see <see cref="AbstractionRules"/>).
/// </para>
/// <para>
/// <see cref="Findings"/> are ordered by the order of the fields passed in, then by start position.
/// </para>
/// </remarks>
/// <param name="Score">1 for a fully abstract memory, towards 0 the more it is tied to one domain.</param>
/// <param name="Findings">What ties the memory to a domain, with positions.</param>
/// <param name="HasText">
/// False when every field is blank: there is nothing to judge yet, so <see cref="Score"/> (then 1) means nothing
/// and should not be shown as a score.
/// </param>
public sealed record AbstractionReport(double Score, IReadOnlyList<AbstractionFinding> Findings, bool HasText = true)
{
    /// <summary>True when no rule fired.</summary>
    public bool IsClean => Findings.Count == 0;
}
