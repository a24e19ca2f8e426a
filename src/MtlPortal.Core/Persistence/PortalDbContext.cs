using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Agents;
using MtlPortal.Auditing;
using MtlPortal.Benchmarks;
using MtlPortal.Memories;
using MtlPortal.Settings;
using MtlPortal.Teams;
using MtlPortal.Users;

namespace MtlPortal.Persistence;

/// <summary>
/// The portal's one database context. The schema itself comes from the SQL scripts in <c>migrations/</c>;
/// a test keeps this model and those scripts equal.
/// </summary>
public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options) : IdentityDbContext<PortalUser>(options), IDataProtectionKeyContext
{
    public DbSet<Team> Teams => Set<Team>();

    public DbSet<TeamMembership> TeamMemberships => Set<TeamMembership>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<Memory> Memories => Set<Memory>();

    public DbSet<MemoryRevision> MemoryRevisions => Set<MemoryRevision>();

    public DbSet<MemoryReview> MemoryReviews => Set<MemoryReview>();

    public DbSet<PortalSetting> Settings => Set<PortalSetting>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<RetrievalRecord> Retrievals => Set<RetrievalRecord>();

    public DbSet<RetrievalHit> RetrievalHits => Set<RetrievalHit>();

    public DbSet<Feedback> Feedback => Set<Feedback>();

    public DbSet<Benchmark> Benchmarks => Set<Benchmark>();

    public DbSet<BenchmarkTask> BenchmarkTasks => Set<BenchmarkTask>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
    }
}
