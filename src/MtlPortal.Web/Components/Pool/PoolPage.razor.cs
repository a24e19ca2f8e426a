using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Memories;
using MtlPortal.Persistence;
using MtlPortal.Retrieval;
using MudBlazor;

namespace MtlPortal.Web.Components.Pool;

/// <summary>The approved pool: semantic search, filters, sorting and paging done by the server.</summary>
public sealed partial class PoolPage
{
    private static readonly int[] PageSizes = [20, 50, 100];

    private MudDataGrid<PoolItem>? _grid;
    private string _text = "";
    private string _searched = "";
    private PoolFilter _filter = PoolFilter.None;
    private PoolFacets _facets = PoolFacets.None;
    private bool _loaded;

    [Inject]
    public required PoolSearch Search { get; init; }

    [Inject]
    public required IDbContextFactory<PortalDbContext> Db { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    private bool IsSearch => !string.IsNullOrWhiteSpace(_searched);

    // Until the first page has come back nothing is known, and "empty" would be a false claim.
    private string EmptyText =>
        !_loaded ? "Loading the pool…"
        : !IsSearch && _filter.IsEmpty ? "The pool is empty: no memory has been approved yet."
        : "No approved memory matches.";

    protected override async Task OnInitializedAsync()
    {
        // The filter choices are what the approved pool actually holds.
        await using var db = await Db.CreateDbContextAsync();
        var served =
            from m in db.Memories.AsNoTracking().Served()
            join r in db.MemoryRevisions on m.ApprovedRevisionId equals r.Id
            select new { r.SourceDomain, r.SourceModel, r.Tags, m.TeamId, Team = m.Team!.Name };
        var rows = await served.ToListAsync();
        _facets = new PoolFacets(
            [.. rows.Select(r => r.SourceDomain).Distinct().Order()],
            [.. rows.Select(r => new TeamOption(r.TeamId, r.Team)).Distinct().OrderBy(t => t.Name)],
            [.. rows.Select(r => r.SourceModel).Distinct().Order()],
            [.. rows.SelectMany(r => r.Tags).Distinct().Order()]);
    }

    private async Task<GridData<PoolItem>> LoadAsync(GridState<PoolItem> state, CancellationToken cancellationToken)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var page = await Search.SearchAsync(
            new PoolQuery
            {
                Text = _searched,
                Kinds = _filter.Kinds,
                Domains = _filter.Domains,
                Teams = _filter.Teams,
                SourceModels = _filter.SourceModels,
                Tags = _filter.Tags,
                SortBy = sort?.SortBy,
                Descending = sort?.Descending ?? false,
                Skip = state.Page * state.PageSize,
                Take = state.PageSize,
            },
            cancellationToken);
        _loaded = true;
        return new GridData<PoolItem> { Items = page.Items, TotalItems = page.Total };
    }

    private async Task ReloadAsync()
    {
        if (_grid is not null)
        {
            // A new question starts at its first page; the grid cancels a load it has superseded.
            _grid.NavigateTo(Page.First);
            await _grid.ReloadServerData();
        }
    }

    private Task SearchAsync()
    {
        _searched = _text.Trim();
        return ReloadAsync();
    }

    private Task ClearAsync()
    {
        _text = "";
        return SearchAsync();
    }

    private Task FilterChangedAsync(PoolFilter filter)
    {
        _filter = filter;
        return ReloadAsync();
    }

    private async Task SearchOnEnterAsync(KeyboardEventArgs e)
    {
        if (e.Key == "Enter")
        {
            await SearchAsync();
        }
    }
}
