using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components.Forms;
using MtlPortal.Memories;
using MtlPortal.Validation;

namespace MtlPortal.Web.Components.Contribute;

/// <summary>What the Contribute form holds while someone writes: every kind's fields, so switching kind loses nothing.</summary>
public sealed partial class ContributeForm
{
    public MemoryKind Kind { get; set; } = MemoryKind.Insight;

    public string Title { get; set; } = "";

    public string Description { get; set; } = "";

    public string Content { get; set; } = "";

    public string TaskSummary { get; set; } = "";

    public string OutcomeAnalysis { get; set; } = "";

    public string Goal { get; set; } = "";

    public List<WorkflowStepInput> Steps { get; set; } = [new()];

    public List<TrajectoryStepInput> TrajectorySteps { get; set; } = [new()];

    public string SourceDomain { get; set; } = "";

    public string SourceTaskRef { get; set; } = "";

    public string SourceModel { get; set; } = "human";

    public SourceOutcome Outcome { get; set; } = SourceOutcome.Unknown;

    public string Tags { get; set; } = "";

    public Guid? TeamId { get; set; }

    public MemoryContent ToContent() => Kind switch
    {
        MemoryKind.Insight => new InsightContent(Title.Trim(), Description.Trim(), Content.Trim()),
        MemoryKind.Summary => new SummaryContent(TaskSummary.Trim(), OutcomeAnalysis.Trim()),
        MemoryKind.Workflow => new WorkflowContent(Goal.Trim(), [.. Steps.Select(s => s.Text.Trim())]),
        _ => new TrajectoryContent([.. TrajectorySteps.Select(s => new TrajectoryStep(s.Action.Trim(), s.Observation.Trim()))]),
    };

    public MemoryDraft ToDraft() => new(
        ToContent(),
        new Provenance(SourceDomain, SourceTaskRef, SourceModel, Outcome, [.. Tags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]),
        TeamId);

    /// <summary>Core's rules for the content and the provenance, with the field names the domain uses.</summary>
    public IEnumerable<FieldError> Validate() => ToContent().Validate().Concat(ToDraft().Provenance.Normalized().Validate());

    public static ContributeForm From(MemoryContent content, Provenance provenance, Guid teamId)
    {
        var form = new ContributeForm
        {
            Kind = content.Kind,
            SourceDomain = provenance.SourceDomain,
            SourceTaskRef = provenance.SourceTaskRef ?? "",
            SourceModel = provenance.SourceModel,
            Outcome = provenance.Outcome,
            Tags = string.Join(", ", provenance.Tags),
            TeamId = teamId,
        };
        switch (content)
        {
            case InsightContent i:
                (form.Title, form.Description, form.Content) = (i.Title, i.Description, i.Content);
                break;
            case SummaryContent s:
                (form.TaskSummary, form.OutcomeAnalysis) = (s.TaskSummary, s.OutcomeAnalysis);
                break;
            case WorkflowContent w:
                form.Goal = w.Goal;
                form.Steps = [.. w.Steps.Select(t => new WorkflowStepInput { Text = t })];
                break;
            case TrajectoryContent t:
                form.TrajectorySteps = [.. t.Steps.Select(s => new TrajectoryStepInput { Action = s.Action, Observation = s.Observation })];
                break;
        }

        return form;
    }

    /// <summary>Where the form shows an error the domain names by its path ("title", "steps[2]", "steps[0].action").</summary>
    public FieldIdentifier? FieldFor(string path)
    {
        var step = StepPath().Match(path);
        if (step.Success)
        {
            var index = int.Parse(step.Groups["i"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var part = step.Groups["part"].Value;
            return Kind == MemoryKind.Workflow && index < Steps.Count ? new FieldIdentifier(Steps[index], nameof(WorkflowStepInput.Text))
                : Kind == MemoryKind.Trajectory && index < TrajectorySteps.Count
                    ? new FieldIdentifier(TrajectorySteps[index], part == "observation" ? nameof(TrajectoryStepInput.Observation) : nameof(TrajectoryStepInput.Action))
                    : null;
        }

        var property = typeof(ContributeForm).GetProperties().FirstOrDefault(p => string.Equals(p.Name, path, StringComparison.OrdinalIgnoreCase));
        return property is null ? null : new FieldIdentifier(this, property.Name);
    }

    [GeneratedRegex(@"^steps\[(?<i>\d+)\](?:\.(?<part>action|observation))?$")]
    private static partial Regex StepPath();
}

public sealed class WorkflowStepInput
{
    public string Text { get; set; } = "";
}

public sealed class TrajectoryStepInput
{
    public string Action { get; set; } = "";

    public string Observation { get; set; } = "";
}
