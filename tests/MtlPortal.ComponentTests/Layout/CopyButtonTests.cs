using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using MtlPortal.Web.Components.Layout;
using MudBlazor;

namespace MtlPortal.ComponentTests.Layout;

public class CopyButtonTests : MudTestContext
{
    [Fact]
    public void Click_CopiesTheTextExactly_AndSaysSo()
    {
        var copy = JSInterop.SetupVoid("mtlPortal.copy", "mtl_secret value");
        copy.SetVoidResult();
        var button = Render<CopyButton>(p => p.Add(b => b.Text, "mtl_secret value").Add(b => b.Label, "Copy the secret"));

        button.Find("button[aria-label='Copy the secret']").Click();

        Assert.Single(copy.Invocations);
        var shown = Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message ?? "").ToList();
        Assert.Contains("Copied to the clipboard.", shown);
    }

    [Fact]
    public void WhenTheBrowserRefusesTheClipboard_TheUserIsToldToCopyByHand()
    {
        JSInterop.SetupVoid("mtlPortal.copy", _ => true).SetException(new JSException("Write permission denied."));
        var button = Render<CopyButton>(p => p.Add(b => b.Text, "curl …"));

        button.Find("button").Click();

        var shown = Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message ?? "").ToList();
        Assert.Contains(shown, m => m.Contains("copy it by hand", StringComparison.Ordinal));
        Assert.DoesNotContain("Copied to the clipboard.", shown);
    }
}
