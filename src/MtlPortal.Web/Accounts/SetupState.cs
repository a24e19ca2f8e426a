using MtlPortal.Users;

namespace MtlPortal.Web.Accounts;

/// <summary>
/// Whether first-run setup is still open (no admin exists). Once an admin exists that never changes (the last
/// active admin cannot be removed), so the answer is cached from then on and costs no query per request.
/// </summary>
public sealed class SetupState(UserAdministration admin)
{
    private volatile bool _adminExists;

    public async Task<bool> IsOpenAsync(CancellationToken cancellationToken = default)
    {
        if (_adminExists)
        {
            return false;
        }

        _adminExists = await admin.AnyAdminAsync(cancellationToken);
        return !_adminExists;
    }
}
