using System.Globalization;
using Microsoft.AspNetCore.Components;
using MtlPortal.Dashboards;
using MtlPortal.Memories;
using MudBlazor;

namespace MtlPortal.Web.Components.Dashboards;

/// <summary>
/// The Pool health dashboard: the cached <see cref="PoolHealthReport"/> with how fresh it is, recomputed on
/// request with progress shown while it runs.
/// </summary>
public sealed partial class PoolHealthPage : IDisposable
{
    // The projection is drawn scaled so its widest point sits at ±100 (PCA units mean nothing on their own), with
    // ticks every 25 on both axes.
    private const double ScatterScale = 100;

    private static readonly BarChartOptions ScoreOptions = new() { YAxisTicks = 1 };
    private static readonly ScatterPlotChartOptions ScatterOptions = new() { PointRadius = 4, XAxisTicks = 25, YAxisTicks = 25 };

    private static readonly List<BreadcrumbItem> Crumbs = [new("Dashboards", "dashboards"), new("Pool health", null, disabled: true)];

    private readonly CancellationTokenSource _leaving = new();
    private PoolHealthReport? _report;
    private PoolHealthProgress? _progress;
    private bool _computing;
    private bool _stale;
    private string? _error;
    private MemoryKind _scatterKind;
    private List<ChartSeries<double>> _kindSeries = [];
    private string[] _kindLabels = [];
    private List<ChartSeries<double>> _scatterSeries = [];
    private List<ChartSeries<double>> _abstractionSeries = [];
    private string[] _abstractionLabels = [];
    private List<ChartSeries<double>> _stalenessSeries = [];
    private BarChartOptions _abstractionOptions = new();
    private BarChartOptions _stalenessOptions = new();
    private string[] _stalenessLabels = [];

    [Inject]
    public required PoolHealthService Health { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    protected override Task OnInitializedAsync() => ComputeAsync(refresh: false);

    private Task RecomputeAsync() => ComputeAsync(refresh: true);

    private async Task ComputeAsync(bool refresh)
    {
        if (_computing)
        {
            return;
        }

        _computing = true;
        _error = null;
        var computing = Health.GetAsync(refresh, _leaving.Token);
        try
        {
            // A large pool takes a while: show how far it is until it is done.
            while (!computing.IsCompleted)
            {
                _progress = Health.Progress;
                StateHasChanged();
                await Task.WhenAny(computing, Task.Delay(400, _leaving.Token));
            }

            Show(await computing);
        }
        catch (OperationCanceledException) when (_leaving.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or Npgsql.NpgsqlException)
        {
            _error = $"Pool health could not be computed: {e.Message}";
        }
        finally
        {
            _computing = false;
            _progress = null;
        }
    }

    private void Show(PoolHealthReport report)
    {
        _report = report;
        _stale = Health.IsStale;
        _kindLabels = [.. report.Kinds.Select(k => k.Kind.ToString())];
        _kindSeries =
        [
            new() { Name = "LISI (mean)", Data = new ChartData<double>([.. report.Kinds.Select(k => k.MeanLisi ?? 0)]) },
            new() { Name = "Davies–Bouldin", Data = new ChartData<double>([.. report.Kinds.Select(k => k.DaviesBouldin ?? 0)]) },
        ];
        _abstractionLabels = [.. report.Abstraction.Select(b => b.Name[..3])];
        _abstractionSeries = [new() { Name = "Memories", Data = new ChartData<double>([.. report.Abstraction.Select(b => (double)b.Count)]) }];
        _abstractionOptions = CountOptions(report.Abstraction);
        _stalenessOptions = CountOptions([.. report.SinceApproval, .. report.SinceRetrieval]);
        _stalenessLabels = [.. report.SinceApproval.Select(b => b.Name)];
        _stalenessSeries =
        [
            new() { Name = "Since approval", Data = new ChartData<double>([.. report.SinceApproval.Select(b => (double)b.Count)]) },
            new() { Name = "Since last retrieval", Data = new ChartData<double>([.. report.SinceRetrieval.Select(b => (double)b.Count)]) },
        ];
        ShowScatter(report.Kinds.Any(k => k.Kind == _scatterKind) || report.Kinds.Count == 0 ? _scatterKind : report.Kinds[0].Kind);
    }

    private void ShowScatter(MemoryKind kind)
    {
        _scatterKind = kind;
        var points = _report?.Kinds.FirstOrDefault(k => k.Kind == kind)?.Scatter ?? [];
        var widest = points.Count == 0 ? 0 : points.Max(p => Math.Max(Math.Abs(p.X), Math.Abs(p.Y)));
        var scale = widest > 0 ? ScatterScale / widest : 1;
        _scatterSeries = [.. points.GroupBy(p => p.Domain, StringComparer.OrdinalIgnoreCase).OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => new ChartSeries<double> { Name = g.Key, Data = new ChartData<double>([.. g.Select(p => (Math.Round(p.X * scale, 2), Math.Round(p.Y * scale, 2)))]) })];
    }

    // Whole-number ticks, about five of them, however many memories there are.
    private static BarChartOptions CountOptions(IReadOnlyCollection<NamedCount> counts) =>
        new() { YAxisTicks = Math.Max(1, (int)Math.Ceiling(counts.Select(c => c.Count).DefaultIfEmpty(0).Max() / 5.0)) };

    private static IEnumerable<(string Title, IReadOnlyList<NamedCount> Counts)> CountLists(PoolHealthReport report) =>
    [
        ("By kind", report.ByKind),
        ("By domain", report.ByDomain),
        ("By team", report.ByTeam),
        ("By source model", report.BySourceModel),
    ];

    private string Ago(DateTimeOffset at)
    {
        var age = Clock.GetUtcNow() - at;
        return age.TotalMinutes < 1 ? "just now"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes} min ago"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours} h ago"
            : $"{(int)age.TotalDays} days ago";
    }

    private static string F(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "–";

    public void Dispose()
    {
        _leaving.Cancel();
        _leaving.Dispose();
    }
}
