namespace MtlPortal.Memories.Abstraction;

/// <summary>
/// A rule of the abstraction linter, as shown to contributors and reviewers as help.
/// </summary>
/// <param name="Id">Stable identifier, carried by each <see cref="AbstractionFinding"/>.</param>
/// <param name="Title">Short name for the UI.</param>
/// <param name="Description">What the rule flags and why it hurts transfer, for a contributor.</param>
/// <param name="Weight">How much one finding lowers the score: the score is multiplied by <c>1 - Weight</c>.</param>
public sealed record AbstractionRule(string Id, string Title, string Description, double Weight);
