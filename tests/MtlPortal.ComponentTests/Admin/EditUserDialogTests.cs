using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Users;
using MtlPortal.Web.Components.Admin;
using MudBlazor;

namespace MtlPortal.ComponentTests.Admin;

public class EditUserDialogTests : MudTestContext
{
    private static readonly UserRow Ana = new("u1", "ana@example.org", "Ana", [PortalRoles.Contributor], [], [], IsDisabled: false, IsLockedOut: false);

    // Both refusals come before the dialog writes anything, so no database stands behind it.
    public EditUserDialogTests() => Services.AddSingleton<UserAdministration>();

    [Fact]
    public async Task AnEmptyName_IsRefusedBesideTheNameField_AndTheDialogStaysOpen()
    {
        var provider = await OpenAsync();

        provider.Find("#edit-name").Change("");
        provider.Find("[data-testid=save-user]").Click();

        provider.WaitForAssertion(() => Assert.Contains("Enter a name.", provider.Find(".mud-input-error").TextContent));
        Assert.NotEmpty(provider.FindAll("[data-testid=edit-user-form]"));
    }

    [Fact]
    public async Task TakingAwayEveryRole_IsRefused_BeforeAnythingIsWritten()
    {
        var provider = await OpenAsync();

        provider.FindAll("label").Single(l => l.TextContent.Trim() == PortalRoles.Contributor).QuerySelector("input")!.Change(false);
        provider.Find("[data-testid=save-user]").Click();

        provider.WaitForAssertion(() => Assert.Contains("Give the user at least one role.", provider.Find(".validation-message").TextContent));
        Assert.NotEmpty(provider.FindAll("[data-testid=edit-user-form]"));
    }

    private async Task<IRenderedComponent<MudDialogProvider>> OpenAsync()
    {
        var provider = Render<MudDialogProvider>();
        var parameters = new DialogParameters<EditUserDialog> { { d => d.User, Ana }, { d => d.Teams, [] }, { d => d.Actor, "admin" } };
        await provider.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<EditUserDialog>("Edit", parameters));
        provider.WaitForElement("#edit-name");
        return provider;
    }
}
