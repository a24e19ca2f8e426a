using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Auditing;
using MtlPortal.Persistence;
using MtlPortal.Users;

namespace MtlPortal.IntegrationTests.Users;

public class UserAdministrationTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private async Task<T> WithAdminAsync<T>(Func<UserAdministration, Task<T>> action)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserAdministration>());
    }

    private async Task<List<AuditEntry>> AuditAsync(string entityId)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.AuditEntries.Where(a => a.EntityId == entityId).OrderBy(a => a.Id).ToListAsync();
    }

    [Fact]
    public async Task CreateUserAsync_WithRolesAndNewTeam_CreatesAllAndAuditsIt()
    {
        var result = await WithAdminAsync(a => a.CreateUserAsync(
            new NewUser("ana@example.org", PortalFactory.Password, "Ana", ["contributor", "Reviewer"], ["Search Team"]), "[test]"));

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PortalUser>>();
        var user = await users.FindByEmailAsync("ana@example.org");
        Assert.Equal(["Contributor", "Reviewer"], (await users.GetRolesAsync(user!)).Order());
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Equal(["Search Team"], await db.TeamMemberships.Where(m => m.UserId == user!.Id).Select(m => m.Team!.Name).ToListAsync());
        Assert.Contains(await AuditAsync(user!.Id), a => a.Action == "user.created" && a.Actor == "[test]");
    }

    [Fact]
    public async Task CreateUserAsync_DuplicateEmail_FailsOnTheEmailFieldAndWritesNothing()
    {
        await portal.CreateUserAsync("dup@example.org", PortalRoles.Contributor);

        var result = await WithAdminAsync(a => a.CreateUserAsync(
            new NewUser("DUP@example.org", PortalFactory.Password, null, [PortalRoles.Manager], ["Dup Team"]), "[test]"));

        var error = Assert.Single(result.Errors);
        Assert.Equal(("Email", "A user with this email already exists."), (error.Field, error.Message));
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.False(await db.Teams.AnyAsync(t => t.Name == "Dup Team"));
    }

    [Theory]
    [InlineData("not-an-email", "Pass-word-1", "Contributor", "Email")]
    [InlineData("weak@example.org", "short", "Contributor", "Password")]
    [InlineData("role@example.org", "Pass-word-1", "Owner", "Roles")]
    public async Task CreateUserAsync_BadInput_NamesTheField(string email, string password, string role, string field)
    {
        var result = await WithAdminAsync(a => a.CreateUserAsync(new NewUser(email, password, null, [role], []), "[test]"));

        Assert.False(result.Succeeded);
        Assert.All(result.Errors, e => Assert.Equal(field, e.Field));
    }

    [Fact]
    public async Task SetDisabledAsync_LastActiveAdmin_IsRefused()
    {
        // No test in this class makes another admin, so the one the portal started with is the only one.
        var result = await WithAdminAsync(a => a.SetDisabledAsync(portal.AdminId, true, "[test]"));

        Assert.False(result.Succeeded);
        Assert.Contains("last active admin", result.Errors[0].Message);
    }

    [Fact]
    public async Task SetRolesAndTeamsAsync_ReplaceTheUsersRolesAndTeams()
    {
        var userId = await portal.CreateUserAsync("move@example.org", [PortalRoles.Contributor], ["Old Team"]);
        var newTeam = (await WithAdminAsync(a => a.CreateTeamAsync("New Team", "[test]"))).Value!;

        var roles = await WithAdminAsync(a => a.SetRolesAsync(userId, [PortalRoles.Reviewer], "[test]"));
        var teams = await WithAdminAsync(a => a.SetTeamsAsync(userId, [newTeam.Id], "[test]"));

        Assert.True(roles.Succeeded && teams.Succeeded);
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PortalUser>>();
        Assert.Equal([PortalRoles.Reviewer], await users.GetRolesAsync((await users.FindByIdAsync(userId))!));
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Equal(["New Team"], await db.TeamMemberships.Where(m => m.UserId == userId).Select(m => m.Team!.Name).ToListAsync());
        Assert.Equal(["user.created", "user.roles-set", "user.teams-set"], (await AuditAsync(userId)).Select(a => a.Action));
    }

    [Fact]
    public async Task CreateTeamAsync_NameTakenInAnotherCase_IsRefused()
    {
        await WithAdminAsync(a => a.CreateTeamAsync("Platform", "[test]"));

        var again = await WithAdminAsync(a => a.CreateTeamAsync("  platform ", "[test]"));

        Assert.Equal("Name", Assert.Single(again.Errors).Field);
    }
}
