using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Memories;
using MtlPortal.Users;
using MtlPortal.Validation;

namespace MtlPortal.IntegrationTests.Memories;

/// <summary>A portal with two teams and the people of a review: an author, two reviewers, a colleague, an outsider.</summary>
public class MemoryPortal : PortalFactory
{
    public string Author { get; private set; } = "";
    public string Reviewer1 { get; private set; } = "";
    public string Reviewer2 { get; private set; } = "";
    public string Colleague { get; private set; } = "";
    public string ForeignReviewer { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Author = await CreateUserAsync("author@example.org", [PortalRoles.Contributor], ["Alpha"]);
        Reviewer1 = await CreateUserAsync("reviewer1@example.org", [PortalRoles.Reviewer, PortalRoles.Contributor], ["Alpha"]);
        Reviewer2 = await CreateUserAsync("reviewer2@example.org", [PortalRoles.Reviewer], ["Alpha"]);
        Colleague = await CreateUserAsync("colleague@example.org", [PortalRoles.Contributor], ["Alpha"]);
        ForeignReviewer = await CreateUserAsync("foreign@example.org", [PortalRoles.Reviewer, PortalRoles.Contributor], ["Beta"]);
    }

    /// <summary>Runs one workflow operation as <paramref name="userId"/>, in a scope of its own (as a request would).</summary>
    public async Task<WriteResult<T>> AsAsync<T>(string userId, Func<MemoryWriters, Actor, Task<WriteResult<T>>> action)
    {
        var actor = await ActorAsync(userId);
        await using var scope = Services.CreateAsyncScope();
        return await action(MemoryWriters.From(scope.ServiceProvider), actor);
    }

    public static MemoryDraft Insight(string title = "Verify before you finish", string? content = null) => new(
        new InsightContent(title,
            "Run the project's own checks before declaring a task done.",
            content ?? "Find how the project tests itself and run that. When something fails, read the failure closely before changing code again."),
        new Provenance("swe-bench", "django__django-11099", "gpt-5-mini", SourceOutcome.Success, ["testing"]));

    /// <summary>Creates and submits an insight as the author; returns its id.</summary>
    public async Task<Guid> SubmittedAsync(string? author = null, MemoryDraft? draft = null)
    {
        var result = await AsAsync(author ?? Author, (w, a) => w.Authoring.SaveAsync(a, null, draft ?? Insight(), submit: true));
        return result.Succeeded ? result.Value!.Id : throw new InvalidOperationException(string.Join("; ", result.Errors));
    }
}
