using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Memories;
using MtlPortal.Users;
using MtlPortal.Validation;

namespace MtlPortal.BrowserTests.Review;

/// <summary>
/// The portal on a real port, with helpers to stage memories through <see cref="MemoryWriters"/>. Each test makes
/// a team of its own (<see cref="NewTeamAsync"/>), so the queues of tests sharing this portal do not mix.
/// </summary>
public sealed class ReviewPortal : KestrelPortalFactory
{
    public ReviewPortal()
    {
        // The test machine is shared and often busy; Playwright's default 5 s for an expectation fails these flows
        // there while they are fine. Actions already wait 15 s (NewPortalPageAsync); expectations get the same.
        Assertions.SetDefaultExpectTimeout(15_000);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // A failing circuit then reports its exception to the browser console, which the tests collect.
        builder.UseSetting("DetailedErrors", "true");
    }

    /// <summary>A contributor and a reviewer of a new team; their e-mail addresses sign them in.</summary>
    public async Task<ReviewTeam> NewTeamAsync(string name)
    {
        var slug = name.ToLowerInvariant();
        var author = $"author.{slug}@example.org";
        var reviewer = $"reviewer.{slug}@example.org";
        return new ReviewTeam(
            name,
            author, await CreateUserAsync(author, [PortalRoles.Contributor], [name]),
            reviewer, await CreateUserAsync(reviewer, [PortalRoles.Reviewer], [name]));
    }

    /// <summary>One workflow operation as <paramref name="userId"/>, in a scope of its own; fails the test if refused.</summary>
    public async Task<Memory> AsAsync(string userId, Func<MemoryWriters, Actor, Task<WriteResult<Memory>>> action)
    {
        var actor = await ActorAsync(userId);
        await using var scope = Services.CreateAsyncScope();
        var result = await action(MemoryWriters.From(scope.ServiceProvider), actor);
        return result.Succeeded ? result.Value! : throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Message)));
    }

    /// <summary>Writes and submits a memory as <paramref name="userId"/>; returns its id.</summary>
    public async Task<Guid> SubmitAsync(string userId, MemoryContent content, string domain = "swe-bench") =>
        (await AsAsync(userId, (w, a) => w.Authoring.SaveAsync(a, null, Draft(content, domain), submit: true))).Id;

    public static MemoryDraft Draft(MemoryContent content, string domain = "swe-bench") =>
        new(content, new Provenance(domain, "task-42", "gpt-5-mini", SourceOutcome.Success, ["testing", "debugging"]));

    /// <summary>The memory with its revisions and reviews, as stored now.</summary>
    public async Task<Memory> MemoryAsync(Guid id)
    {
        await using var db = await DbAsync();
        return await db.Memories.AsNoTracking().Include(m => m.Revisions).ThenInclude(r => r.Reviews).SingleAsync(m => m.Id == id);
    }
}

public sealed record ReviewTeam(string Name, string AuthorEmail, string Author, string ReviewerEmail, string Reviewer);
