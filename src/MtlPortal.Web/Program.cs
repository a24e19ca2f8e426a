using MtlPortal.Web.Accounts;
using MtlPortal.Web.Api;
using MtlPortal.Web.Cli;
using MtlPortal.Web.Generation;
using MtlPortal.Web.Components;
using MtlPortal.Web.Dashboards;
using MtlPortal.Web.Hosting;
using MtlPortal.Web.Mcp;
using MtlPortal.Web.Runs;
using MtlPortal.Web.Transfer;

if (OperatorCli.IsCommand(args))
{
    return await OperatorCli.RunAsync(args, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddPortalCore();
builder.AddPortalAccounts();
builder.AddPortalUi();
builder.AddPortalApi();
builder.AddPortalMcpHttp();
builder.AddPortalRunner();
builder.AddPortalDashboards();
builder.AddPortalGeneration();

var app = builder.Build();
app.UsePortalPipeline();
app.MapPortalHealth();
app.MapAccountEndpoints();
app.MapMemoryTransferApi();
app.MapApiDocument();
app.MapSearchApi();
app.MapMemoriesApi();
app.MapReviewsApi();
app.MapFeedbackApi();
app.MapPortalMcp();
app.MapRunsApi();
app.MapModelConnectionsApi();
app.MapDashboardsApi();
app.MapImpactApi();
app.MapPoolHealthApi();
app.MapGenerationApi();
app.MapPortalUi();

return await app.RunPortalAsync();

/// <summary>The web host's entry point; public so that tests can start it with <c>WebApplicationFactory</c>.</summary>
public partial class Program;
