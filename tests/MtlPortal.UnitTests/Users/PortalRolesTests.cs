using MtlPortal.Users;

namespace MtlPortal.UnitTests.Users;

public class PortalRolesTests
{
    [Theory]
    [InlineData("admin", "Admin")]
    [InlineData(" REVIEWER ", "Reviewer")]
    [InlineData("Contributor", "Contributor")]
    [InlineData("manager", "Manager")]
    [InlineData("owner", null)]
    [InlineData("", null)]
    public void Normalize_AcceptsAnyCaseAndRejectsUnknownRoles(string input, string? expected) =>
        Assert.Equal(expected, PortalRoles.Normalize(input));
}
