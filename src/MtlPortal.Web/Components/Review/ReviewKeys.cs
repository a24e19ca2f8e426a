using Microsoft.AspNetCore.Components.Web;
using MtlPortal.Memories;

namespace MtlPortal.Web.Components.Review;

/// <summary>What a key pressed in the review queue asks for: moving through the queue, or deciding on the open memory.</summary>
/// <param name="Step">+1 for the next memory, -1 for the previous one, 0 when the key does not move.</param>
/// <param name="Decision">The decision the key makes, if it makes one.</param>
public sealed record ReviewKeyCommand(int Step, ReviewDecision? Decision)
{
    public static ReviewKeyCommand Next { get; } = new(1, null);

    public static ReviewKeyCommand Previous { get; } = new(-1, null);

    public static ReviewKeyCommand Decide(ReviewDecision decision) => new(0, decision);
}

/// <summary>
/// The review queue's keyboard: j/k or the arrows move, a approves, c requests changes, r rejects. Kept apart from
/// the page so that what each key does can be checked without a browser or a database.
/// </summary>
public static class ReviewKeys
{
    /// <summary>
    /// The command for <paramref name="key"/>, or null when it does nothing: with Ctrl, Alt or Meta (those belong
    /// to the browser), while a write is under way (<paramref name="busy"/>: it must finish before the next one),
    /// or for any other key.
    /// </summary>
    public static ReviewKeyCommand? Command(KeyboardEventArgs key, bool busy)
    {
        if (key.CtrlKey || key.AltKey || key.MetaKey || busy)
        {
            return null;
        }

        return key.Key switch
        {
            "j" or "ArrowDown" => ReviewKeyCommand.Next,
            "k" or "ArrowUp" => ReviewKeyCommand.Previous,
            "a" => ReviewKeyCommand.Decide(ReviewDecision.Approve),
            "c" => ReviewKeyCommand.Decide(ReviewDecision.RequestChanges),
            "r" => ReviewKeyCommand.Decide(ReviewDecision.Reject),
            _ => null,
        };
    }
}
