using Microsoft.AspNetCore.Components.Web;
using MtlPortal.Memories;
using MtlPortal.Web.Components.Review;

namespace MtlPortal.ComponentTests.Review;

public class ReviewKeysTests
{
    [Theory]
    [InlineData("j", 1)]
    [InlineData("ArrowDown", 1)]
    [InlineData("k", -1)]
    [InlineData("ArrowUp", -1)]
    public void MoveKeys_MoveThroughTheQueue(string key, int step)
    {
        var command = ReviewKeys.Command(new KeyboardEventArgs { Key = key }, busy: false);

        Assert.Equal(new ReviewKeyCommand(step, null), command);
    }

    [Theory]
    [InlineData("a", ReviewDecision.Approve)]
    [InlineData("c", ReviewDecision.RequestChanges)]
    [InlineData("r", ReviewDecision.Reject)]
    public void DecisionKeys_DecideWithoutMoving(string key, ReviewDecision decision)
    {
        var command = ReviewKeys.Command(new KeyboardEventArgs { Key = key }, busy: false);

        Assert.Equal(new ReviewKeyCommand(0, decision), command);
    }

    [Fact]
    public void Keys_WithCtrlAltOrMeta_AreLeftToTheBrowser()
    {
        Assert.Null(ReviewKeys.Command(new KeyboardEventArgs { Key = "c", CtrlKey = true }, busy: false));
        Assert.Null(ReviewKeys.Command(new KeyboardEventArgs { Key = "a", AltKey = true }, busy: false));
        Assert.Null(ReviewKeys.Command(new KeyboardEventArgs { Key = "r", MetaKey = true }, busy: false));
    }

    [Fact]
    public void Keys_WhileAWriteIsUnderWay_DoNothing()
    {
        Assert.Null(ReviewKeys.Command(new KeyboardEventArgs { Key = "a" }, busy: true));
        Assert.Null(ReviewKeys.Command(new KeyboardEventArgs { Key = "j" }, busy: true));
    }

    [Theory]
    [InlineData("A")]
    [InlineData("x")]
    [InlineData("Enter")]
    [InlineData(" ")]
    public void OtherKeys_DoNothing(string key)
    {
        Assert.Null(ReviewKeys.Command(new KeyboardEventArgs { Key = key }, busy: false));
    }
}
