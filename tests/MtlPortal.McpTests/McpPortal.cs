using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Auditing;
using MtlPortal.Memories;
using MtlPortal.Users;

namespace MtlPortal.McpTests;

/// <summary>
/// The portal on a real loopback port, as an agent's MCP server reaches it, with an approved pool of insights from
/// several domains (approved through <see cref="MemoryWriters"/>, four eyes) and an agent user who holds keys.
/// </summary>
public sealed class McpPortal : KestrelPortalFactory
{
    private static readonly (string Domain, string Title, string Content)[] Pool =
    [
        ("swe-bench", "Reproduce before you fix", "Write the smallest script or test that shows the reported failure. Run it before and after the change, so the fix is proven rather than assumed."),
        ("mbpp", "Turn examples into assertions", "Turn every example in the task statement into an assertion before writing the implementation. Add checks for empty and extreme inputs."),
        ("intercode-bash", "Read the whole error output", "When a command fails, read its complete error output before retrying. The first line rarely names the real cause."),
        ("humaneval", "Run the project's own tests", "Find how the project tests itself and run exactly that after every change. A change that passes your own check can still break the suite."),
        ("web-tasks", "Inspect the environment first", "Check which tools, versions and files the environment has before planning. Adapt the plan to what is there instead of assuming a setup."),
    ];

    public string Agent { get; private set; } = "";

    /// <summary>The approved memories, by title.</summary>
    public IReadOnlyDictionary<string, Guid> Approved { get; private set; } = new Dictionary<string, Guid>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var author = await CreateUserAsync("author@example.org", [PortalRoles.Contributor], ["Alpha"]);
        var reviewer = await CreateUserAsync("reviewer@example.org", [PortalRoles.Reviewer], ["Alpha"]);
        Agent = await CreateUserAsync("agent@example.org", [PortalRoles.Contributor], ["Alpha"]);

        var approved = new Dictionary<string, Guid>();
        foreach (var (domain, title, content) in Pool)
        {
            var draft = new MemoryDraft(
                new InsightContent(title, "A habit that made earlier coding tasks succeed.", content),
                new Provenance(domain, null, "gpt-5-mini", SourceOutcome.Success, ["testing"]));
            var id = (await AsAsync(author, (w, a) => w.Authoring.SaveAsync(a, null, draft, submit: true))).Id;
            await AsAsync(reviewer, (w, a) => w.Reviews.DecideAsync(a, id, ReviewDecision.Approve, null));
            approved[title] = id;
        }

        Approved = approved;
    }

    /// <summary>A new API key of the agent's with <paramref name="scopes"/>; returns the secret.</summary>
    public async Task<string> KeyAsync(params string[] scopes)
    {
        var created = await Services.GetRequiredService<ApiKeyService>().CreateAsync(Agent, "mcp test key", scopes, null, AuditTrail.CliActor);
        return created.Succeeded ? created.Value!.Secret : throw new InvalidOperationException(string.Join("; ", created.Errors));
    }

    private async Task<Memory> AsAsync(string userId, Func<MemoryWriters, Actor, Task<MtlPortal.Validation.WriteResult<Memory>>> action)
    {
        var actor = await Services.GetRequiredService<ActorDirectory>().GetAsync(userId) ?? throw new InvalidOperationException($"No actor {userId}.");
        await using var scope = Services.CreateAsyncScope();
        var result = await action(MemoryWriters.From(scope.ServiceProvider), actor);
        return result.Succeeded ? result.Value! : throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Message)));
    }
}
