namespace MtlPortal.Persistence;

/// <summary>Where the portal keeps its data. Bound from the "Database" section.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>The name of the connection string that points at an existing server; when it is empty, the portal runs its own.</summary>
    public const string ConnectionStringName = "Portal";

    /// <summary>The embedded server's data folder; a relative path is taken from the working directory.</summary>
    public string DataDirectory { get; set; } = ".mtl/pgdata";

    /// <summary>The folder that holds initdb and pg_ctl; found automatically when empty.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>The database the embedded server creates and the portal uses.</summary>
    public string DatabaseName { get; set; } = "mtl_portal";

    /// <summary>Apply pending scripts from <c>migrations/</c> when the portal starts.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
