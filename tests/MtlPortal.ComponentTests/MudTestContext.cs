using MudBlazor.Services;

namespace MtlPortal.ComponentTests;

/// <summary>
/// A bunit context with MudBlazor's services; its JavaScript calls (focus, popover placement) answer with defaults.
/// Some of MudBlazor's services can only be disposed asynchronously, so xunit's synchronous Dispose is left out.
/// </summary>
public abstract class MudTestContext : BunitContext, IAsyncLifetime
{
    private bool _disposedAsync;

    protected MudTestContext()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        _disposedAsync = true;
        await DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (!_disposedAsync)
        {
            base.Dispose(disposing);
        }
    }
}
