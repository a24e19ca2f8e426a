using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MtlPortal.Runs;

/// <summary>
/// A model that runs may use: an OpenAI-compatible endpoint and model id, with its API key encrypted by ASP.NET Core
/// Data Protection (never shown again, never logged) and optional prices for a run's cost.
/// </summary>
public sealed class ModelConnection
{
    public const int NameMax = 100;
    public const int EndpointMax = 500;
    public const int ModelMax = 200;

    public Guid Id { get; set; }

    /// <summary>Unique; what runs and the CLI's <c>--model</c> name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The base address including <c>/v1</c>.</summary>
    public string Endpoint { get; set; } = "";

    public string Model { get; set; } = "";

    /// <summary>The API key as Data Protection encrypted it; null for servers that need no key.</summary>
    public string? ProtectedApiKey { get; set; }

    /// <summary>Price per million input tokens, in the operator's currency; null when unknown.</summary>
    public decimal? InputPricePerMillion { get; set; }

    /// <summary>Price per million output tokens; null when unknown.</summary>
    public decimal? OutputPricePerMillion { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>What <paramref name="inputTokens"/> and <paramref name="outputTokens"/> cost; null without prices.</summary>
    public decimal? Cost(long inputTokens, long outputTokens) =>
        InputPricePerMillion is null && OutputPricePerMillion is null
            ? null
            : ((inputTokens * (InputPricePerMillion ?? 0m)) + (outputTokens * (OutputPricePerMillion ?? 0m))) / 1_000_000m;
}

internal sealed class ModelConnectionConfiguration : IEntityTypeConfiguration<ModelConnection>
{
    public void Configure(EntityTypeBuilder<ModelConnection> connection)
    {
        connection.ToTable("ModelConnections");
        connection.Property(c => c.Name).HasMaxLength(ModelConnection.NameMax).IsRequired();
        connection.Property(c => c.Endpoint).HasMaxLength(ModelConnection.EndpointMax).IsRequired();
        connection.Property(c => c.Model).HasMaxLength(ModelConnection.ModelMax).IsRequired();
        connection.Property(c => c.InputPricePerMillion).HasPrecision(18, 6);
        connection.Property(c => c.OutputPricePerMillion).HasPrecision(18, 6);
        connection.HasIndex(c => c.Name).IsUnique();
    }
}
