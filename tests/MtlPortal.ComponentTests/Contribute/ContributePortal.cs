using System.Security.Claims;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Users;
using MtlPortal.Testing;
using MudBlazor;
using MudBlazor.Services;

namespace MtlPortal.ComponentTests.Contribute;

/// <summary>
/// The real portal's services over a test database of its own, with a contributor of one team, for rendering the
/// Contribute page's components with the services they use in production.
/// </summary>
public sealed class ContributePortal : PortalFactory
{
    public const string WriterEmail = "writer@example.org";

    public string WriterId { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        WriterId = await CreateUserAsync(WriterEmail, [PortalRoles.Contributor], ["Agents"]);
    }

    /// <summary>A bunit context signed in as the writer, with MudBlazor and, behind them, the portal's services.</summary>
    public BunitContext NewContext()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddFallbackServiceProvider(Services);
        var authorization = context.AddAuthorization();
        authorization.SetAuthorized(WriterEmail);
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, WriterId));

        // MudBlazor's popovers (selects) need their provider in the tree.
        context.Render<MudPopoverProvider>();
        return context;
    }
}
