namespace MtlPortal.Memories;

/// <summary>
/// The one definition of what may be served (to agents, the pool page, search, MCP, export and the runner): a memory
/// with an approved revision that is not archived. Its approved revision is the one served.
/// </summary>
public static class ApprovedPool
{
    /// <summary>The memories among <paramref name="memories"/> that may be served.</summary>
    public static IQueryable<Memory> Served(this IQueryable<Memory> memories) =>
        memories.Where(m => m.ApprovedRevisionId != null && m.ArchivedAt == null);
}
