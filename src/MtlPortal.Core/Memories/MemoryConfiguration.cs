using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MtlPortal.Memories;

internal sealed class MemoryConfiguration : IEntityTypeConfiguration<Memory>
{
    public void Configure(EntityTypeBuilder<Memory> memory)
    {
        // Enums as text: readable in SQL and in exports, and safe against reordering.
        memory.Property(m => m.Kind).HasConversion<string>().HasMaxLength(20);
        memory.Property(m => m.Status).HasConversion<string>().HasMaxLength(20);
        memory.Property(m => m.AuthorId).IsRequired();
        memory.Property(m => m.Version).IsConcurrencyToken();
        memory.HasOne(m => m.Team).WithMany().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Restrict);
        memory.HasOne(m => m.Author).WithMany().HasForeignKey(m => m.AuthorId).OnDelete(DeleteBehavior.Restrict);
        memory.HasMany(m => m.Revisions).WithOne(r => r.Memory).HasForeignKey(r => r.MemoryId).OnDelete(DeleteBehavior.Cascade);
        memory.HasOne(m => m.ApprovedRevision).WithMany().HasForeignKey(m => m.ApprovedRevisionId).OnDelete(DeleteBehavior.Restrict);
        memory.HasIndex(m => m.Status);
        memory.HasIndex(m => m.TeamId);
        memory.HasIndex(m => m.AuthorId);
        memory.HasIndex(m => m.UpdatedAt);
    }
}

internal sealed class MemoryRevisionConfiguration : IEntityTypeConfiguration<MemoryRevision>
{
    public void Configure(EntityTypeBuilder<MemoryRevision> revision)
    {
        revision.Property(r => r.State).HasConversion<string>().HasMaxLength(20);
        revision.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(20);
        revision.Property(r => r.Title).HasMaxLength(200).IsRequired();
        revision.Property(r => r.ContentJson).HasColumnType("jsonb").IsRequired();
        revision.Property(r => r.SourceDomain).HasMaxLength(Provenance.DomainMax).IsRequired();
        revision.Property(r => r.SourceTaskRef).HasMaxLength(Provenance.TaskRefMax);
        revision.Property(r => r.SourceModel).HasMaxLength(Provenance.ModelMax).IsRequired();
        revision.Property(r => r.Tags).HasColumnType("text[]").IsRequired();
        revision.Property(r => r.Embedding).HasColumnType("real[]");
        revision.Property(r => r.EmbeddingModel).HasMaxLength(200);
        revision.Property(r => r.AuthorId).IsRequired();
        revision.Ignore(r => r.Content);
        revision.Ignore(r => r.Provenance);
        revision.HasOne(r => r.Author).WithMany().HasForeignKey(r => r.AuthorId).OnDelete(DeleteBehavior.Restrict);
        revision.HasIndex(r => new { r.MemoryId, r.Number }).IsUnique();
        revision.HasIndex(r => new { r.State, r.SubmittedAt });
        revision.HasMany(r => r.Reviews).WithOne(v => v.Revision).HasForeignKey(v => v.RevisionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MemoryReviewConfiguration : IEntityTypeConfiguration<MemoryReview>
{
    public void Configure(EntityTypeBuilder<MemoryReview> review)
    {
        review.Property(v => v.Decision).HasConversion<string>().HasMaxLength(20);
        review.Property(v => v.Comment).HasMaxLength(4000);
        review.Property(v => v.ReviewerId).IsRequired();
        review.HasOne(v => v.Reviewer).WithMany().HasForeignKey(v => v.ReviewerId).OnDelete(DeleteBehavior.Restrict);
        review.HasIndex(v => v.MemoryId);
    }
}
