using MtlPortal.Memories;
using MtlPortal.Web.Components.Memories;

namespace MtlPortal.ComponentTests.Memories;

public class ChipTests : MudTestContext
{
    [Theory]
    [InlineData(MemoryStatus.Approved, "Approved", "mud-chip-color-success")]
    [InlineData(MemoryStatus.InReview, "In review", "mud-chip-color-info")]
    [InlineData(MemoryStatus.ChangesRequested, "Changes requested", "mud-chip-color-warning")]
    [InlineData(MemoryStatus.Rejected, "Rejected", "mud-chip-color-error")]
    [InlineData(MemoryStatus.Draft, "Draft", "mud-chip-color-default")]
    [InlineData(MemoryStatus.Archived, "Archived", "mud-chip-color-default")]
    public void StatusChip_ShowsTheStatusInWordsAndItsColour(MemoryStatus status, string words, string colour)
    {
        var chip = Render<StatusChip>(p => p.Add(c => c.Status, status)).Find("[data-testid=status]");

        Assert.Equal(words, chip.TextContent.Trim());
        Assert.Contains(colour, chip.ClassList);
    }

    [Fact]
    public void StatusChip_GivesARevisionStateTheSameWordsAndColourAsTheMatchingStatus()
    {
        var state = Render<StatusChip>(p => p.Add(c => c.State, RevisionState.ChangesRequested)).Find("[data-testid=status]");
        var status = Render<StatusChip>(p => p.Add(c => c.Status, MemoryStatus.ChangesRequested)).Find("[data-testid=status]");

        Assert.Equal(status.TextContent.Trim(), state.TextContent.Trim());
        Assert.Equal(status.ClassName, state.ClassName);
    }

    [Fact]
    public void KindChip_GivesEachKindItsNameAndAColourOfItsOwn()
    {
        var chips = Enum.GetValues<MemoryKind>()
            .Select(kind => (Kind: kind, Chip: Render<KindChip>(p => p.Add(c => c.Kind, kind)).Find("[data-testid=kind]")))
            .ToList();

        Assert.All(chips, c => Assert.Equal(c.Kind.ToString(), c.Chip.TextContent.Trim()));
        Assert.Equal(chips.Count, chips.Select(c => c.Chip.ClassList.Single(n => n.StartsWith("mud-chip-color-", StringComparison.Ordinal))).Distinct().Count());
    }
}
