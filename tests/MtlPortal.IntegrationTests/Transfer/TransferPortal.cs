using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.IntegrationTests.Memories;
using MtlPortal.Users;

namespace MtlPortal.IntegrationTests.Transfer;

/// <summary>
/// The memory portal's people (an author and reviewers of team Alpha, a reviewer of Beta, the admin), plus a
/// manager who may not write memories and a contributor of both teams; a temporary folder for files; and the
/// operator CLI pointed at the same database.
/// </summary>
public class TransferPortal : MemoryPortal
{
    public const string AuthorEmail = "author@example.org";
    public const string ManagerEmail = "manager@example.org";
    public const string TwoTeamsEmail = "two-teams@example.org";

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"mtl-transfer-{Guid.NewGuid().ToString("N")[..12]}");

    public string Manager { get; private set; } = "";

    public string TwoTeams { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Directory.CreateDirectory(Folder);
        Manager = await CreateUserAsync(ManagerEmail, [PortalRoles.Manager], ["Alpha"]);
        TwoTeams = await CreateUserAsync(TwoTeamsEmail, [PortalRoles.Contributor], ["Alpha", "Beta"]);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    public async Task<int> MemoryCountAsync()
    {
        await using var db = await DbAsync();
        return await db.Memories.CountAsync();
    }
}
