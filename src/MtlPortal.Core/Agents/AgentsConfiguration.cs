using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MtlPortal.Agents;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> key)
    {
        key.Property(k => k.Name).HasMaxLength(ApiKey.NameMaxLength).IsRequired();
        key.Property(k => k.Prefix).HasMaxLength(20).IsRequired();
        key.Property(k => k.SecretHash).HasMaxLength(64).IsRequired();
        key.Property(k => k.Scopes).HasColumnType("text[]").IsRequired();
        key.Property(k => k.UserId).IsRequired();
        key.HasIndex(k => k.SecretHash).IsUnique();
        key.HasIndex(k => k.UserId);
        key.HasOne(k => k.User).WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RetrievalConfiguration : IEntityTypeConfiguration<RetrievalRecord>
{
    public void Configure(EntityTypeBuilder<RetrievalRecord> retrieval)
    {
        retrieval.ToTable("Retrievals");
        retrieval.Property(r => r.QueryHash).HasMaxLength(64).IsRequired();
        retrieval.Property(r => r.Filters).HasColumnType("jsonb").IsRequired();
        retrieval.Property(r => r.EmbeddingModel).HasMaxLength(200).IsRequired();
        retrieval.Property(r => r.UserId).HasMaxLength(450).IsRequired();
        retrieval.HasIndex(r => r.At);
        retrieval.HasIndex(r => r.ApiKeyId);
        retrieval.HasMany(r => r.Hits).WithOne().HasForeignKey(h => h.RetrievalId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RetrievalHitConfiguration : IEntityTypeConfiguration<RetrievalHit>
{
    public void Configure(EntityTypeBuilder<RetrievalHit> hit)
    {
        hit.HasKey(h => new { h.RetrievalId, h.Rank });
        hit.HasIndex(h => h.MemoryId);
    }
}

internal sealed class FeedbackConfiguration : IEntityTypeConfiguration<Feedback>
{
    public void Configure(EntityTypeBuilder<Feedback> feedback)
    {
        feedback.ToTable("Feedback");
        feedback.Property(f => f.Outcome).HasConversion<string>().HasMaxLength(20);
        feedback.Property(f => f.MemoryIds).HasColumnType("uuid[]").IsRequired();
        feedback.Property(f => f.Note).HasMaxLength(2000);
        feedback.Property(f => f.UserId).HasMaxLength(450).IsRequired();
        feedback.HasOne(f => f.Retrieval).WithMany().HasForeignKey(f => f.RetrievalId).OnDelete(DeleteBehavior.Cascade);
        feedback.HasIndex(f => f.RetrievalId).IsUnique();
    }
}
