using MtlPortal.Memories;

namespace MtlPortal.UnitTests.Memories;

public class MemoryKindsTests
{
    [Theory]
    [InlineData("insight", MemoryKind.Insight)]
    [InlineData(" Workflow ", MemoryKind.Workflow)]
    [InlineData("SUMMARY", MemoryKind.Summary)]
    [InlineData("trajectory", MemoryKind.Trajectory)]
    public void AKindNamedInAnyCase_IsAccepted(string name, MemoryKind expected)
    {
        Assert.True(MemoryKinds.TryParse(name, out var kind));
        Assert.Equal(expected, kind);
    }

    // Enum.TryParse alone accepts numbers ("3" is Insight, "7" an undefined kind) and lists ("insight,summary").
    [Theory]
    [InlineData("3")]
    [InlineData("7")]
    [InlineData("-1")]
    [InlineData("+2")]
    [InlineData("insight,summary")]
    [InlineData("recipe")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void ANumberAListOrAnUnknownName_IsRefused(string? name)
    {
        Assert.False(MemoryKinds.TryParse(name, out _));
    }
}
