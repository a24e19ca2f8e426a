using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Persistence;
using MtlPortal.Users;

namespace MtlPortal.IntegrationTests.Accounts;

/// <summary>What sign-in, sign-out and API keys tell an attacker, and how long a cookie lives.</summary>
public class AccountSecurityTests(CountingHasherPortal portal) : IClassFixture<CountingHasherPortal>
{
    [Fact]
    public async Task SignIn_UnknownAccount_StillChecksAPasswordHash_LikeAKnownAccount()
    {
        // Without a hash for unknown accounts they answer measurably faster, which tells which emails exist.
        var before = portal.Hasher.Verifications;

        var response = await portal.CreateBrowserlikeClient().SignInAsync("nobody-here@example.org", "Some-password-1");

        Assert.Contains("The email or password is wrong.", await response.Content.ReadAsStringAsync());
        Assert.True(portal.Hasher.Verifications > before, "No password hash was checked for an unknown account.");
    }

    [Fact]
    public async Task SignIn_LockedOutAccount_GetsTheSameAnswerAsAWrongPassword()
    {
        await portal.CreateUserAsync("target@example.org", PortalRoles.Contributor);
        var client = portal.CreateBrowserlikeClient();
        for (var i = 0; i < 5; i++)
        {
            await client.SignInAsync("target@example.org", "Wrong-password-1");
        }

        var locked = await client.SignInAsync("target@example.org");
        var unknown = await client.SignInAsync("never-existed@example.org", "Wrong-password-1");

        Assert.NotEqual(HttpStatusCode.Redirect, locked.StatusCode);
        Assert.Equal(Message(await unknown.Content.ReadAsStringAsync()), Message(await locked.Content.ReadAsStringAsync()));
        Assert.DoesNotContain("is locked", await locked.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SignOut_EndsTheSession_TheOldCookieNoLongerSignsIn()
    {
        await portal.CreateUserAsync("leaving@example.org", PortalRoles.Contributor);
        var client = portal.CreateBrowserlikeClient();
        var signIn = await client.SignInAsync("leaving@example.org");
        var cookie = AuthCookie(signIn);
        var home = await client.GetStringAsync("/");
        var token = WebUtility.HtmlDecode(Regex.Match(home, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);

        var signOut = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["reason"] = "user" }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        // Someone who kept a copy of the cookie (a shared computer, a stolen cookie) replays it.
        var replay = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        replay.DefaultRequestHeaders.Add("Cookie", cookie);
        var response = await replay.GetAsync("/contribute");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.RedirectTarget(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoInstancesOnOneDatabase_AcceptEachOthersSignInCookies_FromKeysKeptInTheDatabase()
    {
        await portal.CreateUserAsync("roaming@example.org", PortalRoles.Contributor);
        var cookie = AuthCookie(await portal.CreateBrowserlikeClient().SignInAsync("roaming@example.org"));
        await using var other = new SecondInstancePortalFactory(portal.ConnectionString);
        await other.InitializeAsync();

        var client = other.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        var response = await client.GetAsync("/contribute");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.NotEmpty(await db.DataProtectionKeys.ToListAsync());
    }

    private static string AuthCookie(HttpResponseMessage signIn) =>
        signIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("mtl.auth=", StringComparison.Ordinal));

    private static string Message(string page) =>
        Regex.Match(page, "(The email or password is wrong\\.|This account is locked[^<]*|This account is disabled[^<]*)").Value;
}

/// <summary>The portal with a password hasher that counts how often a hash is checked.</summary>
public sealed class CountingHasherPortal : PortalFactory
{
    public CountingPasswordHasher Hasher { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IPasswordHasher<PortalUser>>(Hasher));
    }
}

public sealed class CountingPasswordHasher : IPasswordHasher<PortalUser>
{
    private readonly PasswordHasher<PortalUser> _inner = new();
    private int _verifications;

    public int Verifications => Volatile.Read(ref _verifications);

    public string HashPassword(PortalUser user, string password) => _inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(PortalUser user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verifications);
        return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}
