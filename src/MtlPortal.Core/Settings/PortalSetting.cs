namespace MtlPortal.Settings;

/// <summary>One setting that admins change in the portal (not in appsettings.json), stored as text.</summary>
public sealed class PortalSetting
{
    public string Key { get; set; } = "";

    public string Value { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";
}

internal sealed class PortalSettingConfiguration : Microsoft.EntityFrameworkCore.IEntityTypeConfiguration<PortalSetting>
{
    public void Configure(Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<PortalSetting> setting)
    {
        setting.HasKey(s => s.Key);
        setting.Property(s => s.Key).HasMaxLength(100);
        setting.Property(s => s.Value).IsRequired();
        setting.Property(s => s.UpdatedBy).HasMaxLength(450).IsRequired();
    }
}
