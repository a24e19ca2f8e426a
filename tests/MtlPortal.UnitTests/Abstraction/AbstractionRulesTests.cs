using MtlPortal.Memories.Abstraction;

namespace MtlPortal.UnitTests.Abstraction;

public class AbstractionRulesTests
{
    [Fact]
    public void All_EveryRuleHasUniqueIdHelpTextAndAWeightThatLowersTheScore()
    {
        Assert.Equal(AbstractionRules.All.Count, AbstractionRules.All.Select(r => r.Id).Distinct().Count());
        Assert.All(AbstractionRules.All, rule =>
        {
            Assert.Matches("^[a-z]+(-[a-z]+)*$", rule.Id);
            Assert.False(string.IsNullOrWhiteSpace(rule.Title));
            Assert.False(string.IsNullOrWhiteSpace(rule.Description));
            Assert.InRange(rule.Weight, 0.01, 0.99);
        });
    }

    [Fact]
    public void All_BlocksWeighMoreThanIncidentalTokens()
    {
        Assert.True(AbstractionRules.CodeBlock.Weight > AbstractionRules.FilePath.Weight);
        Assert.True(AbstractionRules.StackTrace.Weight > AbstractionRules.FilePath.Weight);
        Assert.True(AbstractionRules.FilePath.Weight > AbstractionRules.Identifier.Weight);
        Assert.True(AbstractionRules.Identifier.Weight > AbstractionRules.MagicNumber.Weight);
    }

    [Fact]
    public void All_OneLeakOfAnyKind_PutsAnInsightUnderTheDefaultMinimum()
    {
        var leaks = AbstractionRules.All.Where(r => r != AbstractionRules.SentenceLimit);

        Assert.All(leaks, rule => Assert.True(1 - rule.Weight < MtlPortal.Settings.ReviewSettings.Defaults.MinInsightAbstraction, rule.Id));
        Assert.True(1 - AbstractionRules.SentenceLimit.Weight >= MtlPortal.Settings.ReviewSettings.Defaults.MinInsightAbstraction);
    }

    [Fact]
    public void Find_KnownAndUnknownIds_ReturnsRuleOrNull()
    {
        Assert.Same(AbstractionRules.StackTrace, AbstractionRules.Find("stack-trace"));
        Assert.Null(AbstractionRules.Find("no-such-rule"));
    }
}
