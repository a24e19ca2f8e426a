using MudBlazor.Services;

namespace MtlPortal.ComponentTests;

/// <summary>
/// A bunit context with MudBlazor's services. MudBlazor registers services that can only be disposed
/// asynchronously, and xunit 2 disposes a test class synchronously, so the context is disposed here first.
/// </summary>
public abstract class MudBlazorContext : BunitContext, IAsyncLifetime
{
    protected MudBlazorContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();
}
