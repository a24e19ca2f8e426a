using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Auditing;
using MtlPortal.IntegrationTests.Memories;

namespace MtlPortal.IntegrationTests.Api;

/// <summary>A memory portal whose people can hold API keys.</summary>
public class ApiPortal : MemoryPortal
{
    /// <summary>Creates a key for the user and returns a client that sends it.</summary>
    public async Task<HttpClient> KeyClientAsync(string userId, params string[] scopes)
    {
        var secret = await SecretAsync(userId, scopes);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    public async Task<string> SecretAsync(string userId, string[] scopes, int? expiresInDays = null)
    {
        var created = await Services.GetRequiredService<ApiKeyService>().CreateAsync(userId, "test key", scopes, expiresInDays, AuditTrail.CliActor);
        return created.Succeeded ? created.Value!.Secret : throw new InvalidOperationException(string.Join("; ", created.Errors));
    }
}

/// <summary>The same, with a rate limit small enough to reach in a test.</summary>
public sealed class TightlyLimitedApiPortal : ApiPortal
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Api:RateLimit:PermitsPerSecond", "1");
        builder.UseSetting("Api:RateLimit:Burst", "3");
    }
}
