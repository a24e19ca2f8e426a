using Microsoft.AspNetCore.Identity;
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

    [Fact]
    public async Task ResetPasswordAsync_GivesANewPasswordThatSignsIn_EndsTheLockOut_AndAuditsIt()
    {
        var userId = await portal.CreateUserAsync("forgot@example.org", PortalRoles.Contributor);
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByIdAsync(userId))!, DateTimeOffset.UtcNow.AddMinutes(15));
        }

        var result = await WithAdminAsync(a => a.ResetPasswordAsync(userId, portal.AdminId));

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var password = result.Value!;
        Assert.NotEqual(PortalFactory.Password, password);
        await using var check = portal.Services.CreateAsyncScope();
        var manager = check.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = (await manager.FindByIdAsync(userId))!;
        Assert.True(await manager.CheckPasswordAsync(user, password));
        Assert.False(await manager.CheckPasswordAsync(user, PortalFactory.Password));
        Assert.False(await manager.IsLockedOutAsync(user));
        var entry = Assert.Single(await AuditAsync(userId), a => a.Action == "user.password-reset");
        Assert.Equal(portal.AdminId, entry.Actor);
        Assert.DoesNotContain(password, entry.Details ?? "");
    }

    [Fact]
    public async Task ResetPasswordAsync_TwiceForTheSameUser_GivesDifferentPasswords()
    {
        var userId = await portal.CreateUserAsync("twice@example.org", PortalRoles.Reviewer);

        var first = await WithAdminAsync(a => a.ResetPasswordAsync(userId, portal.AdminId));
        var second = await WithAdminAsync(a => a.ResetPasswordAsync(userId, portal.AdminId));

        Assert.NotEqual(first.Value, second.Value);
    }

    [Fact]
    public async Task ResetPasswordAsync_UnknownUser_FailsAndWritesNoAudit()
    {
        var result = await WithAdminAsync(a => a.ResetPasswordAsync("no-such-user", portal.AdminId));

        Assert.False(result.Succeeded);
        Assert.Empty(await AuditAsync("no-such-user"));
    }

    [Fact]
    public async Task SetDisplayNameAsync_RenamesTheUserAndAuditsOldAndNewName()
    {
        var userId = await portal.CreateUserAsync("rename@example.org", PortalRoles.Contributor);

        var result = await WithAdminAsync(a => a.SetDisplayNameAsync(userId, "  Renée Rename ", portal.AdminId));

        Assert.True(result.Succeeded);
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal("Renée Rename", await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).SingleAsync());
        Assert.Contains(await AuditAsync(userId), a => a.Action == "user.renamed" && a.Details == "rename -> Renée Rename");
    }

    [Theory]
    [InlineData(" ", 3, "Enter a name.")]
    [InlineData("n", PortalUser.DisplayNameMaxLength + 1, "at most")]
    public async Task SetDisplayNameAsync_BadName_IsRefusedOnTheNameFieldAndChangesNothing(string part, int repeat, string message)
    {
        var name = string.Concat(Enumerable.Repeat(part, repeat));
        var userId = await portal.CreateUserAsync($"bad-name-{repeat}@example.org", PortalRoles.Contributor);

        var result = await WithAdminAsync(a => a.SetDisplayNameAsync(userId, name, portal.AdminId));

        var error = Assert.Single(result.Errors);
        Assert.Equal("DisplayName", error.Field);
        Assert.Contains(message, error.Message);
        Assert.DoesNotContain(await AuditAsync(userId), a => a.Action == "user.renamed");
    }
}
