using MtlPortal.Persistence;

namespace MtlPortal.Auditing;

/// <summary>Records audit entries in the same unit of work as the change they describe, so both land or neither does.</summary>
public sealed class AuditTrail(TimeProvider clock)
{
    public const string CliActor = "[cli]";
    public const string SetupActor = "[setup]";

    public void Record(PortalDbContext db, string actor, string action, string entityType, string entityId, string? details = null) =>
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow(),
            Actor = actor,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            Details = details,
        });
}
