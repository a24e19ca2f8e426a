using MtlPortal.Agents;
using MtlPortal.Auditing;
using MtlPortal.Generation;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using MtlPortal.Runs;
using MtlPortal.Sandbox;
using MtlPortal.Users;
using MtlPortal.Web.Hosting;

namespace MtlPortal.Web.Cli.Commands;

/// <summary>
/// What the run commands (<c>run</c>, <c>worker</c>, <c>add-model</c>) work through: a host with what running attempts
/// needs (pool index, search and its log, sandbox, runner) and the portal's Data Protection keys, on the database the
/// command already resolved. Its connection string is handed over, so an embedded server is not started twice.
/// </summary>
internal static class RunnerHost
{
    /// <summary>The CLI acts with an admin's rights, as for its other commands; the audit trail names it "[cli]".</summary>
    public static readonly Actor Operator = new(AuditTrail.CliActor, new HashSet<string> { PortalRoles.Admin }, new HashSet<Guid>());

    /// <param name="work">Also work on queued attempts (<c>worker</c>, <c>run --wait</c>), beside the portal and other workers.</param>
    public static IHost Build(CliHost cli, CliContext context, bool work)
    {
        var builder = cli.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = context.Services.GetRequiredService<PortalDatabase>().ConnectionString,
            ["Database:MigrateOnStartup"] = "false",
            [$"{RunnerOptions.Section}:{nameof(RunnerOptions.Enabled)}"] = work ? "true" : "false",
        });
        builder.Services.AddPortalServices(builder.Configuration);
        builder.Services.AddPortalRetrieval();
        builder.Services.AddPortalAgentSearch();
        builder.Services.AddPortalSandbox();
        builder.Services.AddPortalRunWorker();
        builder.Services.AddPortalGeneration();
        return builder.Build();
    }
}
