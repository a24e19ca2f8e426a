using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using MtlPortal.Memories;
using MtlPortal.Memories.Abstraction;
using MtlPortal.Persistence;
using MtlPortal.Settings;
using MtlPortal.Teams;
using MtlPortal.Web.Accounts;
using MtlPortal.Web.Components.Forms;
using MtlPortal.Web.Components.Memories;
using MudBlazor;

namespace MtlPortal.Web.Components.Contribute;

/// <summary>
/// Writing a memory: a form per kind, the abstraction linter's findings and similar memories updated as the
/// contributor types (after a short pause), then save as a draft or submit for review. With an id it edits:
/// the open draft in place, or a new revision after changes were requested or of an approved memory.
/// </summary>
public sealed partial class ContributePage : IDisposable
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(350);

    private ContributeForm _form;
    private EditContext _editContext;
    private ServerValidation? _server;
    private AbstractionReport? _report;
    private IReadOnlyList<SimilarMemory> _similar = [];
    private ReviewSettings _settings = ReviewSettings.Defaults;
    private List<Team> _teams = [];
    private List<string> _knownDomains = [];
    private CancellationTokenSource? _pending;
    private string? _loadError;
    private string? _notice;
    private int? _version;
    private bool _editingFirstDraft;
    private bool _saving;

    // The form waits for the settings and teams: typing before them could be lost to the render that follows.
    private bool _loaded;

    public ContributePage()
    {
        // The first render can come before loading finishes; the form must exist from the start.
        _form = new ContributeForm();
        _editContext = new EditContext(_form);
    }

    [Parameter]
    public Guid? MemoryId { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    public required MemoryAuthoring Authoring { get; init; }

    [Inject]
    public required LatestRevisionQueries Revisions { get; init; }

    [Inject]
    public required IDbContextFactory<PortalDbContext> Db { get; init; }

    [Inject]
    public required MemoryAnalyzer Analyzer { get; init; }

    [Inject]
    public required MemoryQueries Queries { get; init; }

    [Inject]
    public required DuplicateFinder Duplicates { get; init; }

    [Inject]
    public required ActorDirectory Actors { get; init; }

    [Inject]
    public required ReviewSettingsStore SettingsStore { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required ILogger<ContributePage> Logger { get; init; }

    private string Heading => MemoryId is null ? "Contribute a memory" : "Edit memory";

    private string KindHelp => _form.Kind switch
    {
        MemoryKind.Insight => "The most transferable kind: a title, one sentence that says when it applies, and one to three sentences of advice. Describe procedure, not code: no file names, identifiers, literals or benchmark names.",
        MemoryKind.Summary => "The task, what was done, and why it succeeded or failed.",
        MemoryKind.Workflow => "A goal and the reusable sequence of actions that reached it.",
        _ => "The agent's actions and what it observed after each, without its reasoning. The most concrete kind: it helps least on other domains.",
    };

    protected override async Task OnParametersSetAsync()
    {
        var actor = await ActorAsync();
        await using (var db = await Db.CreateDbContextAsync())
        {
            _settings = await SettingsStore.GetAsync();
            _teams = await db.Teams.OpenTo(actor).OrderBy(t => t.Name).ToListAsync();
            _knownDomains = await db.MemoryRevisions.Select(r => r.SourceDomain).Distinct().OrderBy(d => d).Take(200).ToListAsync();
        }

        if (MemoryId is { } id)
        {
            var details = await Queries.DetailsAsync(actor, id);
            if (details is null)
            {
                _loadError = "That memory does not exist, or you cannot see it.";
                return;
            }

            var latest = details.Latest;
            var standing = await Revisions.StandingAsync(actor, id);
            var canEdit = standing is null ? Permission.No("That memory does not exist, or you cannot see it.")
                : latest.State == RevisionState.Draft ? MemoryLifecycle.CanEditDraft(actor, standing.Facts)
                : MemoryLifecycle.CanRevise(actor, standing.Facts);
            if (!canEdit.Allowed)
            {
                _loadError = canEdit.Reason;
                return;
            }

            _form = ContributeForm.From(latest.Content, latest.Provenance, details.TeamId);
            _version = details.Version;
            _editingFirstDraft = latest.State == RevisionState.Draft && latest.Number == 1;
            _notice = latest.State switch
            {
                RevisionState.Draft => null,
                RevisionState.ChangesRequested => $"A reviewer asked for changes to revision {latest.Number}; saving starts revision {latest.Number + 1}.",
                _ => $"Saving starts revision {latest.Number + 1}; the approved revision keeps serving until the new one is approved.",
            };
        }
        else if (_teams.Count == 1)
        {
            _form.TeamId = _teams[0].Id;
        }

        _editContext = new EditContext(_form);
        _loaded = true;
        ScheduleAnalysis();
    }

    private async Task<Actor> ActorAsync() =>
        await Actors.CurrentAsync(AuthenticationState) ?? throw new InvalidOperationException(ActorLookup.NoActorMessage);

    /// <summary>Re-lints and re-checks similar memories once the contributor pauses typing.</summary>
    private void ScheduleAnalysis()
    {
        // Cancelled, not disposed: the analysis it belonged to may still be running with its token.
        _pending?.Cancel();
        var pending = new CancellationTokenSource();
        _pending = pending;
        var token = pending.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(Pause, token);
                await AnalyzeAsync(token);
            }
            catch (OperationCanceledException)
            {
                // A newer keystroke took over.
            }
            catch (Exception e) when (e is InvalidOperationException or Npgsql.NpgsqlException or ObjectDisposedException)
            {
                // The form still works without live hints; say why they stopped rather than failing silently.
                Logger.LogWarning(e, "Live analysis of a memory draft failed");
            }
        }, token);
    }

    private async Task AnalyzeAsync(CancellationToken cancellationToken)
    {
        var content = _form.ToContent();
        var report = await Analyzer.LintAsync(content, cancellationToken);
        var text = content.TextForEmbedding();
        IReadOnlyList<SimilarMemory> similar = [];
        if (text.Trim().Length >= 20)
        {
            var embedding = await Analyzer.EmbedAsync(text, cancellationToken);
            similar = await Duplicates.FindAsync(await ActorAsync(), embedding, Analyzer.EmbeddingModel, MemoryId, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        await InvokeAsync(() =>
        {
            _report = report;
            _similar = similar;
            StateHasChanged();
        });
    }

    private async Task SaveAsync(bool submit)
    {
        // Core's own rules, checked here first so the messages appear beside the fields without a round trip
        // through the workflow (which checks them again, with the rules only the database can answer).
        var errors = _form.Validate().ToList();
        if (errors.Count > 0)
        {
            _server?.Show(errors);
            return;
        }

        _saving = true;
        try
        {
            var actor = await ActorAsync();
            var result = await Authoring.SaveAsync(actor, MemoryId, _form.ToDraft(), submit, _version);
            if (!result.Succeeded)
            {
                _server?.Show(result.Errors);
                return;
            }

            var memory = result.Value!;
            Snackbar.Add(submit ? $"Submitted for review: {memory.Kind.ToString().ToLowerInvariant()}" : "Draft saved", Severity.Success);
            Navigation.NavigateTo(submit ? $"memories/{memory.Id}" : $"contribute/{memory.Id}", forceLoad: false);
            if (!submit && MemoryId is null)
            {
                return;
            }

            _version = memory.Version;
        }
        finally
        {
            _saving = false;
        }
    }

    private void AddWorkflowStep() => _form.Steps.Add(new WorkflowStepInput());

    private void RemoveWorkflowStep(int index)
    {
        _form.Steps.RemoveAt(index);
        ScheduleAnalysis();
    }

    private void AddTrajectoryStep() => _form.TrajectorySteps.Add(new TrajectoryStepInput());

    private void RemoveTrajectoryStep(int index)
    {
        _form.TrajectorySteps.RemoveAt(index);
        ScheduleAnalysis();
    }

    public void Dispose() => _pending?.Cancel();
}
