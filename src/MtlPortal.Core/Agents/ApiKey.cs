using MtlPortal.Users;

namespace MtlPortal.Agents;

/// <summary>The permissions an API key can carry; a key acts as its user, within these.</summary>
public static class ApiScopes
{
    public const string MemoriesRead = "memories:read";
    public const string MemoriesWrite = "memories:write";
    public const string ReviewsWrite = "reviews:write";
    public const string RunsWrite = "runs:write";
    public const string FeedbackWrite = "feedback:write";

    public static IReadOnlyList<string> All { get; } = [MemoriesRead, MemoriesWrite, ReviewsWrite, RunsWrite, FeedbackWrite];
}

/// <summary>
/// A key an agent (or a script) uses to act as its user over the API. The secret is shown once and stored only
/// as a SHA-256 hash: it is 256 random bits, so a slow password hash would add nothing but latency per request.
/// </summary>
public sealed class ApiKey
{
    public const int NameMaxLength = 100;

    public Guid Id { get; set; }

    public string UserId { get; set; } = "";

    public PortalUser? User { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The secret's first characters, shown in lists so people can tell their keys apart.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Hex SHA-256 of the whole secret.</summary>
    public string SecretHash { get; set; } = "";

    public List<string> Scopes { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
