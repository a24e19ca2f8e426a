namespace MtlPortal.Testing;

/// <summary>Another portal instance on the database of an existing one (several instances, one portal).</summary>
public sealed class SecondInstancePortalFactory(string connectionString) : PortalFactory
{
    // The first instance (or the CLI) made the users; this one must not add its own admin again.
    protected override bool SeedAdmin => false;

    public override Task InitializeAsync()
    {
        UseConnectionString(connectionString);
        return base.InitializeAsync();
    }
}
