using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Web.Components.Admin;
using MudBlazor;

namespace MtlPortal.ComponentTests.Admin;

public class NewPasswordDialogTests : MudTestContext
{
    [Fact]
    public async Task ShowsTheNewPasswordOnce_AndItsCopyButtonCopiesExactlyThatPassword()
    {
        var copy = JSInterop.SetupVoid("mtlPortal.copy", "Abcd-2345-EfGh-6789");
        copy.SetVoidResult();
        var provider = Render<MudDialogProvider>();
        var parameters = new DialogParameters<NewPasswordDialog> { { d => d.Email, "ana@example.org" }, { d => d.Password, "Abcd-2345-EfGh-6789" } };
        await provider.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<NewPasswordDialog>("New password", parameters));

        Assert.Equal("Abcd-2345-EfGh-6789", provider.WaitForElement("[data-testid=new-password]").TextContent);
        provider.Find("button[aria-label='Copy the new password']").Click();
        Assert.Single(copy.Invocations);

        provider.FindAll("button").Single(b => b.TextContent.Trim() == "Done").Click();
        provider.WaitForAssertion(() => Assert.Empty(provider.FindAll("[data-testid=new-password]")));
    }
}
