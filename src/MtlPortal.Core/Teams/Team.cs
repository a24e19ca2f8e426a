namespace MtlPortal.Teams;

/// <summary>A group of users that owns memories and reviews its own submissions.</summary>
public sealed class Team
{
    public const int NameMaxLength = 80;

    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public List<TeamMembership> Members { get; set; } = [];
}
