using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Auditing;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Users;
using MtlPortal.Validation;

namespace MtlPortal.Agents;

/// <summary>A new key and its secret, which exists only in this object: it is never stored or shown again.</summary>
public sealed record CreatedApiKey(ApiKey Key, string Secret);

/// <summary>Who a valid key acts as, and within which scopes.</summary>
public sealed record ApiCaller(Guid KeyId, string KeyName, Actor Actor, IReadOnlySet<string> Scopes)
{
    public string UserId => Actor.UserId;
}

/// <summary>
/// Creates, lists, revokes and checks API keys. A checked key is remembered for a few seconds so that a busy
/// agent costs no database query per request; revoking clears it at once on this instance, and within those
/// seconds on others.
/// </summary>
public sealed class ApiKeyService(IDbContextFactory<PortalDbContext> contexts, ActorDirectory actors, AuditTrail audit, TimeProvider clock)
{
    public const string SecretPrefix = "mtl_";
    public const int MaxExpiryDays = 3650;
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    // Unknown secrets are remembered too (so a misconfigured agent costs no query per request); the cap keeps a
    // flood of made-up keys from growing the cache without bound.
    private const int MaxCached = 10_000;

    private readonly ConcurrentDictionary<string, (ApiCaller? Caller, DateTimeOffset Until)> _checked = new(StringComparer.Ordinal);

    public async Task<WriteResult<CreatedApiKey>> CreateAsync(string userId, string name, IReadOnlyCollection<string> scopes, int? expiresInDays, string actor, CancellationToken cancellationToken = default)
    {
        var errors = new List<FieldError>();
        name = name?.Trim() ?? "";
        if (name.Length == 0)
        {
            errors.Add(new FieldError("Name", "Give the key a name, e.g. the agent or machine that uses it."));
        }
        else if (name.Length > ApiKey.NameMaxLength)
        {
            errors.Add(new FieldError("Name", $"A key name has at most {ApiKey.NameMaxLength} characters."));
        }

        var normalized = scopes.Select(s => s.Trim().ToLowerInvariant()).Where(s => s.Length > 0).Distinct().ToList();
        if (normalized.Count == 0)
        {
            errors.Add(new FieldError("Scopes", $"Choose at least one scope: {string.Join(", ", ApiScopes.All)}."));
        }

        foreach (var unknown in normalized.Where(s => !ApiScopes.All.Contains(s)))
        {
            errors.Add(new FieldError("Scopes", $"'{unknown}' is not a scope. Scopes: {string.Join(", ", ApiScopes.All)}."));
        }

        if (expiresInDays is < 1 or > MaxExpiryDays)
        {
            errors.Add(new FieldError("ExpiresInDays", $"A key expires after 1 to {MaxExpiryDays} days, or never."));
        }

        if (errors.Count > 0)
        {
            return WriteResult<CreatedApiKey>.Fail(errors);
        }

        if (await actors.GetAsync(userId, cancellationToken) is not { } owner)
        {
            return WriteResult<CreatedApiKey>.Fail("User", "That user does not exist or is disabled.");
        }

        if (ScopesBeyondRoles(normalized, owner.Roles).ToList() is { Count: > 0 } beyond)
        {
            return WriteResult<CreatedApiKey>.Fail("Scopes", $"The user's roles do not allow {string.Join(", ", beyond)}; a key never gives more than its user has.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(), UserId = userId, Name = name, Prefix = secret[..12], SecretHash = Hash(secret),
            Scopes = normalized, CreatedAt = now, ExpiresAt = expiresInDays is { } days ? now.AddDays(days) : null,
        };
        db.ApiKeys.Add(key);
        audit.Record(db, actor, "api-key.created", "api-key", key.Id.ToString(), $"{name} for {userId}: {string.Join(", ", normalized)}");
        await db.SaveChangesAsync(cancellationToken);
        return WriteResult<CreatedApiKey>.Ok(new CreatedApiKey(key, secret));
    }

    /// <summary>The keys of <paramref name="userId"/>, newest first (never their secrets).</summary>
    public async Task<IReadOnlyList<ApiKey>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId).OrderByDescending(k => k.CreatedAt).ToListAsync(cancellationToken);
    }

    /// <summary>Revokes a key; its owner or an admin may.</summary>
    public async Task<WriteResult<ApiKey>> RevokeAsync(Guid keyId, Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        if (key is null || (key.UserId != actor.UserId && !actor.IsAdmin))
        {
            return WriteResult<ApiKey>.NotFound("That key does not exist.");
        }

        if (key.RevokedAt is not null)
        {
            return WriteResult<ApiKey>.Ok(key);
        }

        key.RevokedAt = clock.GetUtcNow();
        audit.Record(db, actor.UserId, "api-key.revoked", "api-key", key.Id.ToString(), key.Name);
        await db.SaveChangesAsync(cancellationToken);
        _checked.TryRemove(key.SecretHash, out _);
        return WriteResult<ApiKey>.Ok(key);
    }

    /// <summary>The caller a secret stands for, or null when it is unknown, revoked, expired, or its user is disabled.</summary>
    public async Task<ApiCaller?> AuthenticateAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 200)
        {
            return null;
        }

        var hash = Hash(secret);
        var now = clock.GetUtcNow();
        if (_checked.TryGetValue(hash, out var cached) && cached.Until > now)
        {
            return cached.Caller;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.SecretHash == hash, cancellationToken);
        ApiCaller? caller = null;
        if (key is not null && key.RevokedAt is null && (key.ExpiresAt is null || key.ExpiresAt > now)
            && await actors.GetAsync(key.UserId, cancellationToken) is { } actor)
        {
            caller = new ApiCaller(key.Id, key.Name, actor, key.Scopes.ToHashSet(StringComparer.Ordinal));

            // Last use is kept to the cache's grain: one small write per key every few seconds at most.
            await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(k => k.SetProperty(x => x.LastUsedAt, now), cancellationToken);
        }

        // An expiring key is remembered no longer than it lives.
        var until = now + CacheFor;
        if (key?.ExpiresAt is { } expires && expires < until)
        {
            until = expires;
        }

        if (_checked.Count >= MaxCached)
        {
            _checked.Clear();
        }

        _checked[hash] = (caller, until);
        return caller;
    }

    /// <summary>The scopes the user's roles could never use: a key never gives more than its user has.</summary>
    public static IEnumerable<string> ScopesBeyondRoles(IReadOnlyCollection<string> scopes, IReadOnlySet<string> roles)
    {
        var admin = roles.Contains(PortalRoles.Admin);
        foreach (var scope in scopes)
        {
            var allowed = scope switch
            {
                ApiScopes.MemoriesWrite => admin || roles.Contains(PortalRoles.Contributor),
                ApiScopes.ReviewsWrite => admin || roles.Contains(PortalRoles.Reviewer),
                ApiScopes.RunsWrite => admin || roles.Contains(PortalRoles.Manager),
                _ => true,
            };
            if (!allowed)
            {
                yield return scope;
            }
        }
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
