namespace MtlPortal.Web.Components.Admin;

/// <summary>One user as the admin pages list them.</summary>
public sealed record UserRow(string Id, string Email, string DisplayName, IReadOnlyList<string> Roles, IReadOnlyList<Guid> TeamIds, IReadOnlyList<string> TeamNames, bool IsDisabled, bool IsLockedOut)
{
    public string RoleList => string.Join(", ", Roles);

    public string TeamList => string.Join(", ", TeamNames);

    public string Status => IsDisabled ? "Disabled" : IsLockedOut ? "Locked out" : "Active";
}
