using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Auditing;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Reviews;
using MtlPortal.Settings;
using MtlPortal.Web.Components.Review;

namespace MtlPortal.ComponentTests.Review;

/// <summary>
/// The comment rule as the reviewer meets it. The database is never reached here: a decision refused for want of a
/// comment must be refused before anything is sent, so its connection string points nowhere.
/// </summary>
public class ReviewActionsTests : MudTestContext
{
    private readonly List<ReviewActionResult> _completed = [];
    private int _escaped;

    public ReviewActionsTests()
    {
        Services.AddDbContextFactory<PortalDbContext>(o => o.UseNpgsql("Host=never.invalid"));
        Services.AddSingleton<ActorDirectory>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<AuditTrail>();
        Services.AddSingleton<ReviewSettingsStore>();
        Services.AddSingleton<MemoryWriter>();
        Services.AddSingleton<ReviewDecisions>();
    }

    private IRenderedComponent<ReviewActions> RenderActions() => Render<ReviewActions>(p => p
        .Add(c => c.MemoryId, Guid.CreateVersion7())
        .Add(c => c.Version, 1)
        .Add(c => c.CanDecide, true)
        .Add(c => c.Completed, result => _completed.Add(result))
        .Add(c => c.Escaped, () => _escaped++));

    private static string Message(IRenderedComponent<ReviewActions> actions) =>
        string.Join(" ", actions.FindAll("[data-testid=comment-field] .mud-input-helper-text.mud-input-error").Select(e => e.TextContent.Trim()));

    [Theory]
    [InlineData("reject", "a comment is required to reject")]
    [InlineData("request-changes", "a comment is required to request changes")]
    public void Decision_WithoutAComment_IsRefusedBesideTheBoxAndNothingIsSent(string button, string message)
    {
        var actions = RenderActions();

        actions.Find($"[data-testid={button}]").Click();

        Assert.Contains(message, Message(actions));
        Assert.Empty(_completed);
    }

    [Fact]
    public void Decision_WithOnlySpacesAsComment_IsRefused()
    {
        var actions = RenderActions();
        actions.Find("textarea#review-comment").Input("   ");

        actions.Find("[data-testid=reject]").Click();

        Assert.Contains("a comment is required to reject", Message(actions));
        Assert.Empty(_completed);
    }

    [Fact]
    public void Typing_AfterARefusal_TakesTheMessageAway()
    {
        var actions = RenderActions();
        actions.Find("[data-testid=reject]").Click();
        Assert.NotEmpty(Message(actions));

        actions.Find("textarea#review-comment").Input("Names one project's files.");

        Assert.Empty(Message(actions));
    }

    [Fact]
    public void Escape_InTheCommentBox_HandsTheKeyboardBackToThePage()
    {
        var actions = RenderActions();

        actions.Find("[data-testid=comment-field]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Escape" });
        actions.Find("[data-testid=comment-field]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "a" });

        Assert.Equal(1, _escaped);
        Assert.Empty(_completed);
    }
}
