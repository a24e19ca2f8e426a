using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MtlPortal.Agents;
using MtlPortal.Benchmarks;
using MtlPortal.Dashboards;
using MtlPortal.Embeddings;
using MtlPortal.Llm;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using MtlPortal.Users;

namespace MtlPortal.Web.Hosting;

public static class PortalHostingExtensions
{
    /// <summary>The clock, the database, users, memories, embeddings and the LLM: what both the web host and the operator CLI need.</summary>
    public static IServiceCollection AddPortalServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddPortalPersistence();
        services.AddPortalUsers();
        services.AddPortalEmbeddings();
        services.AddPortalLlm(configuration);
        services.AddPortalMemories();
        services.AddPortalApiKeys();
        services.AddPortalBenchmarks();
        return services;
    }

    public static WebApplicationBuilder AddPortalCore(this WebApplicationBuilder builder)
    {
        // Serve package assets (MudBlazor) and the top-level wwwroot/ from the build manifest in every environment,
        // so a plain `dotnet run` works; a published app has no such manifest and serves its own wwwroot/.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddPortalServices(builder.Configuration);
        builder.Services.AddPortalRetrieval();
        builder.Services.AddPortalImpact();
        builder.Services.AddPortalPoolHealth();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        builder.Services.AddProblemDetails();

        // Secure on HTTPS requests (so also behind a TLS-terminating proxy that forwards the scheme); plain HTTP on
        // localhost keeps working.
        builder.Services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        return builder;
    }

    public static WebApplication UsePortalPipeline(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);

            // Browsers honour it only on HTTPS responses: behind TLS they never try plain HTTP again.
            app.UseHsts();
        }

        app.UsePortalSecurityHeaders();

        // Pages show the not-found page; the API and MCP answer ProblemDetails.
        static bool ForAgents(HttpContext c) => c.Request.Path.StartsWithSegments("/api") || c.Request.Path.StartsWithSegments("/mcp");
        app.UseWhen(c => !ForAgents(c), pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseWhen(ForAgents, api => api.UseStatusCodePages());

        // Routing after the status-code pages: their re-execution of /not-found must pick an endpoint again, or the
        // 404 goes out with an empty body.
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        // After authentication and authorization, as antiforgery validation needs to know the user.
        app.UseAntiforgery();
        return app;
    }

    /// <summary><c>/healthz</c>: 200 "Healthy" when the database answers, 503 otherwise. Anonymous, and it tells nothing else.</summary>
    public static WebApplication MapPortalHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { AllowCachingResponses = false });
        return app;
    }

    /// <summary>Runs the host; a start-up problem the operator must fix is printed as one message, not a stack trace.</summary>
    public static async Task<int> RunPortalAsync(this WebApplication app)
    {
        // Resolved before the run: the host is disposed when it returns. These are the instances the host runs.
        var backgroundServices = app.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        try
        {
            await app.RunAsync();

            // A background service that failed stopped the host; exit non-zero so a service manager restarts it.
            if (backgroundServices.FirstOrDefault(s => s.ExecuteTask is { IsFaulted: true }) is { } failed)
            {
                await Console.Error.WriteLineAsync($"The portal stopped because {failed.GetType().Name} failed: {failed.ExecuteTask!.Exception!.GetBaseException().Message}");
                return 1;
            }

            return 0;
        }
        catch (PortalStartupException e)
        {
            await Console.Error.WriteLineAsync($"The portal could not start: {e.Message}");
            return 1;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"The portal could not start: {string.Join(" ", e.Failures)}");
            return 1;
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            await Console.Error.WriteLineAsync($"The portal could not start: {e.Message} Stop what uses it, or choose another address with --urls (e.g. --urls http://localhost:5081).");
            return 1;
        }
    }
}
