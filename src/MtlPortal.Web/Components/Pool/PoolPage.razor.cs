using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using Radzen;
using Radzen.Blazor;

namespace MtlPortal.Web.Components.Pool;

/// <summary>The approved pool: semantic search, filters, server-side sorting and paging.</summary>
public sealed partial class PoolPage
{
    private RadzenDataGrid<PoolItem>? _grid;
    private IReadOnlyList<PoolItem> _items = [];
    private int _total;
    private bool _loading;
    private string _text = "";
    private string _searched = "";
    private IEnumerable<MemoryKind> _kinds = [];
    private IEnumerable<string> _domains = [];
    private IEnumerable<Guid> _teams = [];
    private IEnumerable<string> _models = [];
    private IEnumerable<string> _tags = [];
    private Facets _facets = new([], [], [], []);

    [Inject]
    public required PoolSearch Search { get; init; }

    [Inject]
    public required IDbContextFactory<PortalDbContext> Db { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    private string EmptyText => string.IsNullOrWhiteSpace(_searched) && !_kinds.Any() && !_domains.Any() && !_teams.Any() && !_models.Any() && !_tags.Any()
        ? "The pool is empty: no memory has been approved yet."
        : "No approved memory matches.";

    protected override async Task OnInitializedAsync()
    {
        // The filter choices are what the approved pool actually holds.
        await using var db = await Db.CreateDbContextAsync();
        var served =
            from m in db.Memories.AsNoTracking()
            where m.ApprovedRevisionId != null && m.ArchivedAt == null
            join r in db.MemoryRevisions on m.ApprovedRevisionId equals r.Id
            select new { r.SourceDomain, r.SourceModel, r.Tags, m.TeamId, Team = m.Team!.Name };
        var rows = await served.ToListAsync();
        _facets = new Facets(
            [.. rows.Select(r => r.SourceDomain).Distinct().Order()],
            [.. rows.Select(r => new TeamOption(r.TeamId, r.Team)).Distinct().OrderBy(t => t.Name)],
            [.. rows.Select(r => r.SourceModel).Distinct().Order()],
            [.. rows.SelectMany(r => r.Tags).Distinct().Order()]);
    }

    private async Task LoadAsync(LoadDataArgs args)
    {
        _loading = true;
        var sort = args.Sorts?.FirstOrDefault(s => s.SortOrder is not null);
        var page = await Search.SearchAsync(new PoolQuery
        {
            Text = _searched,
            Kinds = [.. _kinds],
            Domains = [.. _domains],
            Teams = [.. _teams],
            SourceModels = [.. _models],
            Tags = [.. _tags],
            SortBy = sort?.Property,
            Descending = sort?.SortOrder == SortOrder.Descending,
            Skip = args.Skip ?? 0,
            Take = args.Top ?? 20,
        });
        _items = page.Items;
        _total = page.Total;
        _loading = false;
    }

    private async Task ReloadAsync()
    {
        _searched = _text.Trim();
        if (_grid is not null)
        {
            await _grid.FirstPage(true);
        }
    }

    private async Task ClearAsync()
    {
        _text = "";
        await ReloadAsync();
    }

    private async Task SearchOnEnterAsync(KeyboardEventArgs e)
    {
        if (e.Key == "Enter")
        {
            await ReloadAsync();
        }
    }

    private sealed record TeamOption(Guid Id, string Name);

    private sealed record Facets(IReadOnlyList<string> Domains, IReadOnlyList<TeamOption> Teams, IReadOnlyList<string> Models, IReadOnlyList<string> Tags);
}
