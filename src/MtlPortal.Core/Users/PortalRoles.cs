namespace MtlPortal.Users;

/// <summary>The portal's roles. Their rows are created by the first migration, so no code seeds them.</summary>
public static class PortalRoles
{
    public const string Admin = "Admin";
    public const string Reviewer = "Reviewer";
    public const string Contributor = "Contributor";
    public const string Manager = "Manager";

    public static IReadOnlyList<string> All { get; } = [Admin, Reviewer, Contributor, Manager];

    /// <summary>Returns the canonical spelling of <paramref name="role"/>, or null when it names no role.</summary>
    public static string? Normalize(string? role) =>
        All.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));
}
