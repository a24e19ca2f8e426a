using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MtlPortal.Web.Hosting;

namespace MtlPortal.IntegrationTests.Hosting;

public class PortalExitCodeTests
{
    [Fact]
    public async Task RunPortalAsync_HostStoppedByAFailingBackgroundService_ExitsNonZero()
    {
        // A service manager restarts a process that exits non-zero; one that exits 0 after a crash stays down.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = TestPostgres.NewTempDirectory("exit") });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddHostedService<FailsAfterStart>();
        var app = builder.Build();

        var exit = await app.RunPortalAsync();

        Assert.NotEqual(0, exit);
    }

    private sealed class FailsAfterStart : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(50, stoppingToken);
            throw new InvalidOperationException("A fatal error in a background service.");
        }
    }
}
