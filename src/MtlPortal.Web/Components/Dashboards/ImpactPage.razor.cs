using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MtlPortal.Dashboards;
using MtlPortal.Memories;
using MtlPortal.Reviews;
using MtlPortal.Validation;
using MtlPortal.Web.Components.Memories;
using MudBlazor;

namespace MtlPortal.Web.Components.Dashboards;

/// <summary>
/// The Impact dashboard: every retrieved memory sorted by harm, with a chart of tasks helped and hurt, where the
/// memory's reviewers can send it back to review or archive it on the spot.
/// </summary>
public sealed partial class ImpactPage
{
    /// <summary>How many memories the chart shows; the table lists all.</summary>
    public const int ChartedMemories = 12;


    private static readonly List<BreadcrumbItem> Crumbs = [new("Dashboards", "dashboards"), new("Impact", null, disabled: true)];

    private IReadOnlyList<MemoryImpact>? _rows;
    private Actor? _actor;
    private List<ChartSeries<double>> _chartSeries = [];
    private string[] _chartLabels = [];
    private BarChartOptions _chartOptions = new();
    private bool _busy;

    [Inject]
    public required ImpactAnalysis Impact { get; init; }

    [Inject]
    public required ActorDirectory Actors { get; init; }

    [Inject]
    public required ReviewDecisions Reviews { get; init; }

    [Inject]
    public required MemoryAuthoring Authoring { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        _actor = await Actors.CurrentAsync(AuthenticationState);
        if (_actor is null)
        {
            _rows = [];
            return;
        }

        _rows = await Impact.AllAsync(_actor);
        var charted = _rows.Where(r => r.PairedTasks > 0).Take(ChartedMemories).ToList();
        _chartLabels = [.. charted.Select(r => Short(r.Title))];
        // Counts of tasks: about five whole-number ticks; hurt in the error colour, helped in the success colour.
        var most = charted.Select(r => Math.Max(r.TasksHurt, r.TasksHelped)).DefaultIfEmpty(0).Max();
        _chartOptions = new BarChartOptions { YAxisTicks = Math.Max(1, (int)Math.Ceiling(most / 5.0)), ChartPalette = ["#E53935", "#43A047"] };
        _chartSeries =
        [
            new() { Name = "Tasks hurt", Data = new ChartData<double>([.. charted.Select(r => (double)r.TasksHurt)]) },
            new() { Name = "Tasks helped", Data = new ChartData<double>([.. charted.Select(r => (double)r.TasksHelped)]) },
        ];
    }

    // The workflow checks again when the write happens; this only decides which buttons to show.
    private bool CanAct(MemoryImpact row) =>
        _actor is { } actor && row.Status == MemoryStatus.Approved && actor.ReviewsTeam(row.TeamId);

    private async Task SendBackAsync(MemoryImpact row)
    {
        var suggested = row.TasksHurt > 0
            ? string.Create(CultureInfo.InvariantCulture, $"Runs: hurt {row.TasksHurt} and helped {row.TasksHelped} of {row.PairedTasks} tasks against zero-shot (pass rate {MemoryImpactPanel.Signed(row.Delta)}).")
            : null;
        var dialog = await Dialogs.ShowAsync<SendBackDialog>(null, new DialogParameters<SendBackDialog> { { d => d.Title, row.Title }, { d => d.Suggested, suggested } },
            new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: string reason })
        {
            await WriteAsync($"Sent back to review: {row.Title}", actor => Reviews.SendBackToReviewAsync(actor, row.MemoryId, reason));
        }
    }

    private async Task ArchiveAsync(MemoryImpact row)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            $"Archive “{row.Title}”?",
            "Archived memories are no longer served to agents, for good. The memory stays readable as history.",
            yesText: "Archive", cancelText: "Keep it");
        if (confirmed == true)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"negative transfer: hurt {row.TasksHurt}, helped {row.TasksHelped} of {row.PairedTasks} tasks");
            await WriteAsync($"Archived: {row.Title}", actor => Authoring.ArchiveAsync(actor, row.MemoryId, reason));
        }
    }

    private async Task WriteAsync(string success, Func<Actor, Task<WriteResult<Memory>>> write)
    {
        if (_busy)
        {
            return;
        }

        _busy = true;
        try
        {
            // The actor as of now: roles may have changed since the page loaded.
            var actor = await Actors.CurrentAsync(AuthenticationState);
            var result = actor is null ? WriteResult<Memory>.Fail("", "You are signed out; sign in again.") : await write(actor);
            if (result.Succeeded)
            {
                Snackbar.Add(success, Severity.Success);
            }
            else
            {
                Snackbar.Add($"Not saved: {result.Message()}", result.Failure == WriteFailure.Conflict ? Severity.Warning : Severity.Error, o => o.VisibleStateDuration = 10_000);
            }

            await LoadAsync();
        }
        finally
        {
            _busy = false;
        }
    }

    private static string Short(string title) => title.Length <= 24 ? title : title[..23] + "…";
}
