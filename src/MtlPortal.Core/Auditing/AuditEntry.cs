namespace MtlPortal.Auditing;

/// <summary>One write made in the portal: who did what to which entity, and when.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The acting user's id, or a name in brackets such as "[cli]" or "[setup]" when no user acted.</summary>
    public string Actor { get; set; } = "";

    /// <summary>A dotted verb such as "user.created" or "memory.approved".</summary>
    public string Action { get; set; } = "";

    public string EntityType { get; set; } = "";

    public string EntityId { get; set; } = "";

    /// <summary>A short human-readable account of the change (JSON for structured details).</summary>
    public string? Details { get; set; }
}
