using System.CommandLine;
using MtlPortal.Auditing;
using MtlPortal.Users;

namespace MtlPortal.Web.Cli.Commands;

/// <summary><c>mtl create-user</c>: a user with roles and, optionally, teams (created when missing).</summary>
internal static class CreateUserCommand
{
    public static Command Create(CliHost host)
    {
        var email = new Option<string>("--email") { HelpName = "EMAIL", Description = "The user's email, which is also the sign-in name.", Required = true };
        var password = new Option<string>("--password") { HelpName = "PASSWORD", Description = "The user's password.", Required = true };
        var role = CliValues.Repeatable("--role", "ROLE", $"A role ({string.Join(", ", PortalRoles.All)}); repeat for several.");
        role.Required = true;
        var team = CliValues.Repeatable("--team", "TEAM", "A team the user belongs to, created when missing; repeat for several.");
        var name = new Option<string>("--name") { HelpName = "NAME", Description = "The name shown in the portal." };
        var command = new Command("create-user", "Create a user with roles and, optionally, teams (created when missing).")
        {
            email, password, role, team, name,
        };
        host.SetHandler(command, (parsed, context) => RunAsync(context, new NewUser(
            parsed.GetRequiredValue(email),
            parsed.GetRequiredValue(password),
            parsed.GetValue(name),
            parsed.GetRequiredValue(role),
            parsed.GetValue(team) ?? [])));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, NewUser request)
    {
        await using var scope = context.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<UserAdministration>().CreateUserAsync(request, AuditTrail.CliActor);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                await context.Error.WriteLineAsync(error.Field.Length > 0 ? $"error: {error.Field}: {error.Message}" : $"error: {error.Message}");
            }

            return 1;
        }

        var user = result.Value!;
        var roleText = string.Join(", ", request.Roles.Select(r => PortalRoles.Normalize(r)));
        var teamText = request.TeamNames.Count > 0 ? $" in team(s) {string.Join(", ", request.TeamNames)}" : "";
        await context.Out.WriteLineAsync($"Created user {user.Email} (id {user.Id}) with role(s) {roleText}{teamText}.");
        return 0;
    }
}
