using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using MtlPortal.Agents;
using MtlPortal.Auditing;
using MtlPortal.Users;

namespace MtlPortal.Web.Cli.Commands;

/// <summary><c>mtl create-api-key</c>: a key for an existing user, whose secret is printed this once.</summary>
internal static class CreateApiKeyCommand
{
    public static Command Create(CliHost host)
    {
        var user = new Option<string>("--user") { HelpName = "EMAIL", Description = "The existing user the key acts for.", Required = true };
        var scopes = CliValues.Repeatable("--scopes", "S1,S2", $"What the key may do, comma-separated or repeated: {string.Join(", ", ApiScopes.All)}.");
        scopes.Required = true;
        var name = new Option<string>("--name") { HelpName = "NAME", Description = "A name to tell the user's keys apart (default: cli and the date)." };
        var expires = CliValues.Number<int>("--expires", "DAYS", "Days until the key stops working (default: never).", "--expires takes a number of days");
        var command = new Command("create-api-key",
            "Create an API key for an existing user and print its secret (shown this once).")
        {
            user, scopes, name, expires,
        };
        host.SetHandler(command, (parsed, context) => RunAsync(
            context, parsed.GetRequiredValue(user), CliValues.CommaSeparated(parsed.GetValue(scopes)), parsed.GetValue(name), parsed.GetValue(expires)));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string email, List<string> scopes, string? name, int? expires)
    {
        await using var scope = context.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email);
        if (user is null)
        {
            await context.Error.WriteLineAsync($"error: there is no user {email}");
            return 1;
        }

        var result = await context.Services.GetRequiredService<ApiKeyService>().CreateAsync(
            user.Id, name ?? $"cli {DateTime.UtcNow:yyyy-MM-dd HH:mm}", scopes, expires, AuditTrail.CliActor);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                await context.Error.WriteLineAsync($"error: {error.Message}");
            }

            return 1;
        }

        var key = result.Value!.Key;
        await context.Out.WriteLineAsync($"Created API key '{key.Name}' for {email} with scopes {string.Join(", ", key.Scopes)}{(key.ExpiresAt is { } at ? $", expiring {at:yyyy-MM-dd}" : "")}.");
        await context.Out.WriteLineAsync("Its secret is shown only this once:");
        await context.Out.WriteLineAsync(result.Value.Secret);
        return 0;
    }
}
