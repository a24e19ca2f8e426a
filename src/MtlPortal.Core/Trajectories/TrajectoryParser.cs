using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MtlPortal.Trajectories;

/// <summary>One trajectory as read from a file, before it is checked and stored.</summary>
/// <param name="Record">Which record of the file it is, for people: "the file", "line 3", "episode 12".</param>
/// <param name="Domain">The record's own source domain (JSONL only); otherwise the import's.</param>
public sealed record ParsedTrajectory(
    string Record, string TaskText, IReadOnlyList<TrajectoryTurn> Steps, string? FinalAnswer, string? Model, string? TaskRef,
    TrajectoryVerdict Verdict, VerdictOrigin VerdictOrigin, string? VerdictNote, string? Domain = null);

/// <summary>A problem with one record of a trajectory file.</summary>
public sealed record TrajectoryError(string Record, string Field, string Message)
{
    public override string ToString() => Field.Length == 0 ? $"{Record}: {Message}" : $"{Record}, {Field}: {Message}";
}

/// <summary>
/// Reads each supported format into <see cref="ParsedTrajectory"/> records. The rules per format (which entries are
/// steps, where the task and the verdict come from) are documented in <c>docs/trajectory-jsonl.md</c>.
/// </summary>
public static partial class TrajectoryParser
{
    /// <summary>Observations longer than this are cut when read: memories never quote more, and logs can be megabytes.</summary>
    public const int MaxObservation = 20_000;

    private static readonly HashSet<string> JsonlFields = ["task", "steps", "finalAnswer", "model", "taskRef", "domain", "verdict", "verdictNote"];
    private static readonly HashSet<string> StepFields = ["thought", "action", "observation"];

    /// <summary>Every record of <paramref name="text"/>, or the errors by record; a file with any error yields no records.</summary>
    /// <param name="name">The file's name: SWE-agent's task reference when the file does not name one.</param>
    public static (IReadOnlyList<ParsedTrajectory> Records, IReadOnlyList<TrajectoryError> Errors) Parse(TrajectoryFormat format, string text, string name)
    {
        var errors = new List<TrajectoryError>();
        var records = new List<ParsedTrajectory>();
        if (format == TrajectoryFormat.Jsonl)
        {
            ParseJsonl(text, records, errors);
        }
        else
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 256 });
            }
            catch (JsonException e)
            {
                return ([], [new TrajectoryError("the file", "", $"is not JSON ({e.Message})")]);
            }

            using (document)
            {
                try
                {
                    switch (format)
                    {
                        case TrajectoryFormat.SweAgent:
                            records.Add(SweAgent(document.RootElement, name));
                            break;
                        case TrajectoryFormat.Atif:
                            records.Add(Atif(document.RootElement));
                            break;
                        case TrajectoryFormat.MiniSweAgent:
                            records.Add(MiniSweAgent(document.RootElement));
                            break;
                        case TrajectoryFormat.OpenHands:
                            records.Add(OpenHands(document.RootElement));
                            break;
                        case TrajectoryFormat.InterCode:
                            InterCode(document.RootElement, records, errors);
                            break;
                        default:
                            throw new ArgumentOutOfRangeException(nameof(format));
                    }
                }
                catch (FormatProblem problem)
                {
                    errors.Add(new TrajectoryError("the file", problem.Field, problem.Message));
                }
            }
        }

        foreach (var record in records)
        {
            errors.AddRange(Check(record));
        }

        if (records.Count == 0 && errors.Count == 0)
        {
            errors.Add(new TrajectoryError("the file", "", "holds no trajectory."));
        }

        return errors.Count > 0 ? ([], errors) : (records, []);
    }

    private static IEnumerable<TrajectoryError> Check(ParsedTrajectory t)
    {
        if (string.IsNullOrWhiteSpace(t.TaskText))
        {
            yield return new TrajectoryError(t.Record, "task", "The task text is missing.");
        }

        if (t.Steps.Count == 0)
        {
            yield return new TrajectoryError(t.Record, "steps", "The trajectory has no steps.");
        }

        for (var i = 0; i < t.Steps.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(t.Steps[i].Action))
            {
                yield return new TrajectoryError(t.Record, $"steps[{i}].action", $"Step {i + 1} has no action.");
            }
        }

        if (t.TaskRef?.Length > Memories.Provenance.TaskRefMax)
        {
            yield return new TrajectoryError(t.Record, "taskRef", $"The task reference has at most {Memories.Provenance.TaskRefMax} characters.");
        }

        if (t.Model?.Length > Memories.Provenance.ModelMax)
        {
            yield return new TrajectoryError(t.Record, "model", $"The model has at most {Memories.Provenance.ModelMax} characters.");
        }

        if (t.Domain?.Length > Memories.Provenance.DomainMax)
        {
            yield return new TrajectoryError(t.Record, "domain", $"The domain has at most {Memories.Provenance.DomainMax} characters.");
        }

        var fields = new List<(string, string?)> { ("task", t.TaskText), ("finalAnswer", t.FinalAnswer), ("model", t.Model), ("taskRef", t.TaskRef), ("domain", t.Domain), ("verdictNote", t.VerdictNote) };
        for (var i = 0; i < t.Steps.Count; i++)
        {
            fields.Add(($"steps[{i}].thought", t.Steps[i].Thought));
            fields.Add(($"steps[{i}].action", t.Steps[i].Action));
            fields.Add(($"steps[{i}].observation", t.Steps[i].Observation));
        }

        foreach (var error in Validation.TextRules.Check(fields))
        {
            yield return new TrajectoryError(t.Record, error.Field, error.Message);
        }
    }

    private static ParsedTrajectory SweAgent(JsonElement root, string name)
    {
        var steps = Array(root, "trajectory").Select(s => new TrajectoryTurn(Text(s, "thought"), Text(s, "action") ?? "", Observation(Text(s, "observation")))).ToList();
        var task = Array(root, "history").Where(m => Text(m, "role") == "user").Select(m => Content(m)).FirstOrDefault();
        var info = root.TryGetProperty("info", out var i) && i.ValueKind == JsonValueKind.Object ? i : default;
        var model = root.TryGetProperty("replay_config", out var replay) ? ReplayModel(replay) : null;

        // Demonstrations record "submitted", not whether the submission was right: only an explicit result is ground truth.
        var (verdict, origin, note) = info.ValueKind == JsonValueKind.Object && info.TryGetProperty("resolved", out var resolved) && resolved.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? (resolved.GetBoolean() ? TrajectoryVerdict.Passed : TrajectoryVerdict.Failed, VerdictOrigin.GroundTruth, "info.resolved")
            : (TrajectoryVerdict.Unknown, VerdictOrigin.Unknown, info.ValueKind == JsonValueKind.Object ? Text(info, "exit_status") is { } exit ? $"exit status: {exit}" : null : null);
        var submission = info.ValueKind == JsonValueKind.Object ? Text(info, "submission") : null;
        var taskRef = Path.GetFileNameWithoutExtension(name);
        return new ParsedTrajectory("the file", task ?? "", steps, Blank(submission), model, Blank(taskRef), verdict, origin, note);
    }

    private static string? ReplayModel(JsonElement replay)
    {
        // SWE-agent stores its replay configuration as a JSON string.
        if (replay.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var config = JsonDocument.Parse(replay.GetString()!);
                return ReplayModel(config.RootElement.Clone());
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return replay.ValueKind == JsonValueKind.Object && replay.TryGetProperty("agent", out var agent) && agent.TryGetProperty("model", out var model)
            ? Text(model, "name") ?? Text(model, "model_name")
            : null;
    }

    private static ParsedTrajectory Atif(JsonElement root)
    {
        if (Text(root, "schema_version") is not { } version || !version.StartsWith("ATIF", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatProblem("schema_version", "is not an ATIF trajectory (schema_version \"ATIF-v1.x\" is missing).");
        }

        var all = Array(root, "steps");
        var task = all.Where(s => Text(s, "source") == "user").Select(s => Text(s, "message")).FirstOrDefault()
            ?? all.Where(s => Text(s, "source") == "system").Select(s => Text(s, "message")).FirstOrDefault();
        var steps = new List<TrajectoryTurn>();
        string? model = root.TryGetProperty("agent", out var agent) && agent.ValueKind == JsonValueKind.Object ? Text(agent, "model_name") : null;
        foreach (var step in all.Where(s => Text(s, "source") == "agent"))
        {
            model ??= Text(step, "model_name");
            var calls = step.TryGetProperty("tool_calls", out var c) && c.ValueKind == JsonValueKind.Array ? c.EnumerateArray().Select(ToolCall).ToList() : [];
            var message = Text(step, "message");
            var observation = step.TryGetProperty("observation", out var o) && o.ValueKind == JsonValueKind.Object && o.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array
                ? string.Join("\n", results.EnumerateArray().Select(r => Text(r, "content")).Where(t => t is not null))
                : null;
            steps.Add(calls.Count > 0
                ? new TrajectoryTurn(Blank(message), string.Join("\n", calls), Observation(observation))
                : new TrajectoryTurn(null, message ?? "", Observation(observation)));
        }

        var final = steps.Count > 0 ? all.Last(s => Text(s, "source") == "agent") : default;
        return new ParsedTrajectory("the file", task ?? "", steps, final.ValueKind == JsonValueKind.Object ? Blank(Text(final, "message")) : null, model,
            Blank(Text(root, "session_id")), TrajectoryVerdict.Unknown, VerdictOrigin.Unknown, null);
    }

    private static string ToolCall(JsonElement call)
    {
        var function = Text(call, "function_name") ?? "tool";
        var arguments = call.TryGetProperty("arguments", out var a) ? a : default;
        if (arguments.ValueKind == JsonValueKind.Object && arguments.EnumerateObject().Count() == 1 && arguments.EnumerateObject().First().Value.ValueKind == JsonValueKind.String)
        {
            return $"{function}: {arguments.EnumerateObject().First().Value.GetString()}";
        }

        return arguments.ValueKind == JsonValueKind.Undefined ? function : $"{function} {arguments.GetRawText()}";
    }

    private static ParsedTrajectory MiniSweAgent(JsonElement root)
    {
        var messages = Array(root, "messages");
        var task = messages.Where(m => Text(m, "role") == "user").Select(m => Content(m)).FirstOrDefault();
        var steps = new List<TrajectoryTurn>();
        for (var i = 0; i < messages.Count; i++)
        {
            if (Text(messages[i], "role") != "assistant")
            {
                continue;
            }

            var content = Content(messages[i]) ?? "";
            var observation = i + 1 < messages.Count && Text(messages[i + 1], "role") == "user" ? Content(messages[i + 1]) : null;
            var block = CodeBlock().Match(content);
            steps.Add(block.Success
                ? new TrajectoryTurn(Blank(content[..block.Index].Trim()), block.Groups["code"].Value.Trim(), Observation(observation))
                : new TrajectoryTurn(null, content, Observation(observation)));
        }

        var info = root.TryGetProperty("info", out var i2) && i2.ValueKind == JsonValueKind.Object ? i2 : default;
        string? model = null;
        if (info.ValueKind == JsonValueKind.Object && info.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object
            && config.TryGetProperty("model", out var m2) && m2.ValueKind == JsonValueKind.Object)
        {
            model = Text(m2, "model_name");
        }

        var exit = info.ValueKind == JsonValueKind.Object ? Text(info, "exit_status") : null;
        return new ParsedTrajectory("the file", task ?? "", steps, info.ValueKind == JsonValueKind.Object ? Blank(Text(info, "submission")) : null, model, null,
            TrajectoryVerdict.Unknown, VerdictOrigin.Unknown, exit is null ? null : $"exit status: {exit}");
    }

    private static ParsedTrajectory OpenHands(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new FormatProblem("", "is not an OpenHands event list (a JSON array of events).");
        }

        var events = root.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).ToList();
        var observations = events.Where(e => e.TryGetProperty("observation", out _) && Text(e, "cause") is not null)
            .GroupBy(e => Text(e, "cause")!).ToDictionary(g => g.Key, g => g.First());
        string? task = null, final = null, model = null;
        var steps = new List<TrajectoryTurn>();
        foreach (var e in events)
        {
            var action = Text(e, "action");
            var args = e.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Object ? a : default;
            if (action is null)
            {
                continue;
            }

            if (action == "message" && Text(e, "source") == "user")
            {
                task ??= (args.ValueKind == JsonValueKind.Object ? Text(args, "content") : null) ?? Text(e, "message");
                continue;
            }

            if (Text(e, "source") != "agent" || action is "system" or "recall" or "message")
            {
                continue;
            }

            if (e.TryGetProperty("tool_call_metadata", out var meta) && meta.ValueKind == JsonValueKind.Object
                && meta.TryGetProperty("model_response", out var response) && response.ValueKind == JsonValueKind.Object)
            {
                model ??= Text(response, "model");
            }

            if (action == "finish")
            {
                final = (args.ValueKind == JsonValueKind.Object ? Blank(Text(args, "final_thought")) : null) ?? Text(e, "message");
                continue;
            }

            var command = args.ValueKind == JsonValueKind.Object ? Text(args, "command") ?? Text(args, "code") ?? Text(args, "path") : null;
            var thought = args.ValueKind == JsonValueKind.Object ? Blank(Text(args, "thought")) : null;
            var observation = Text(e, "id") is { } id && observations.TryGetValue(id, out var seen) ? Text(seen, "content") : null;
            steps.Add(new TrajectoryTurn(thought, command is null ? $"{action}: {Text(e, "message")}" : $"{action}: {command}", Observation(observation)));
        }

        return new ParsedTrajectory("the file", task ?? "", steps, final, model, null, TrajectoryVerdict.Unknown, VerdictOrigin.Unknown, null);
    }

    private static void InterCode(JsonElement root, List<ParsedTrajectory> records, List<TrajectoryError> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatProblem("", "is not an InterCode results file (an object of episodes).");
        }

        foreach (var episode in root.EnumerateObject())
        {
            var record = $"episode {episode.Name}";
            var e = episode.Value;
            try
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("turn_history", out var history) || history.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatProblem("turn_history", "is missing.");
                }

                var actions = Array(history, "actions");
                var observations = history.TryGetProperty("observations", out var o) && o.ValueKind == JsonValueKind.Array ? o.EnumerateArray().ToList() : [];
                var thoughts = history.TryGetProperty("thoughts", out var t) && t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().ToList() : [];
                var steps = actions.Select((a, i) => new TrajectoryTurn(
                    i < thoughts.Count ? Blank(AnyText(thoughts[i])) : null,
                    AnyText(a) ?? "",
                    i < observations.Count ? Observation(AnyText(observations[i])) : null)).ToList();
                if (!e.TryGetProperty("summary", out var summary) || !summary.TryGetProperty("max_reward", out var reward) || reward.ValueKind != JsonValueKind.Number)
                {
                    throw new FormatProblem("summary.max_reward", "is missing; InterCode's verdict is max_reward == 1.");
                }

                var max = reward.GetDouble();
                var dataset = Text(e, "dataset") is { } d ? Path.GetFileNameWithoutExtension(d) : null;
                var taskId = e.TryGetProperty("task_id", out var id) ? AnyText(id) : episode.Name;
                records.Add(new ParsedTrajectory(record, Text(e, "query") ?? "", steps, null, null, dataset is null ? taskId : $"{dataset}#{taskId}",
                    max >= 1 ? TrajectoryVerdict.Passed : TrajectoryVerdict.Failed, VerdictOrigin.GroundTruth,
                    $"max reward {max.ToString("0.##", CultureInfo.InvariantCulture)}"));
            }
            catch (FormatProblem problem)
            {
                errors.Add(new TrajectoryError(record, problem.Field, problem.Message));
            }
        }
    }

    private static void ParseJsonl(string text, List<ParsedTrajectory> records, List<TrajectoryError> errors)
    {
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var record = $"line {n + 1}";
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatProblem("", "is not a JSON object.");
                }

                if (Validation.TextRules.CheckJson(root) is { Count: > 0 } broken)
                {
                    errors.AddRange(broken.Select(b => new TrajectoryError(record, b.Field, b.Message)));
                    continue;
                }

                if (root.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => !JsonlFields.Contains(n)) is { } unknown)
                {
                    throw new FormatProblem(unknown, $"is not a field of a trajectory record (fields: {string.Join(", ", JsonlFields)}).");
                }

                var steps = new List<TrajectoryTurn>();
                var i = 0;
                foreach (var step in Array(root, "steps"))
                {
                    if (step.ValueKind != JsonValueKind.Object)
                    {
                        throw new FormatProblem($"steps[{i}]", "is not an object with thought, action and observation.");
                    }

                    if (step.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => !StepFields.Contains(n)) is { } extra)
                    {
                        throw new FormatProblem($"steps[{i}].{extra}", "is not a field of a step (fields: thought, action, observation).");
                    }

                    steps.Add(new TrajectoryTurn(Blank(StrictText(step, "thought", $"steps[{i}]")), StrictText(step, "action", $"steps[{i}]") ?? "", Observation(StrictText(step, "observation", $"steps[{i}]"))));
                    i++;
                }

                var verdictText = StrictText(root, "verdict", "") ?? "unknown";
                var verdict = verdictText.ToLowerInvariant() switch
                {
                    "passed" or "pass" or "success" => TrajectoryVerdict.Passed,
                    "failed" or "fail" or "failure" => TrajectoryVerdict.Failed,
                    "unknown" => TrajectoryVerdict.Unknown,
                    _ => throw new FormatProblem("verdict", $"'{verdictText}' is not a verdict (passed, failed or unknown)."),
                };
                records.Add(new ParsedTrajectory(
                    record, StrictText(root, "task", "") ?? "", steps, Blank(StrictText(root, "finalAnswer", "")), Blank(StrictText(root, "model", "")),
                    Blank(StrictText(root, "taskRef", "")), verdict, verdict == TrajectoryVerdict.Unknown ? VerdictOrigin.Unknown : VerdictOrigin.GroundTruth,
                    Blank(StrictText(root, "verdictNote", "")), Blank(StrictText(root, "domain", ""))));
            }
            catch (JsonException e)
            {
                errors.Add(new TrajectoryError(record, "", $"is not JSON ({e.Message})"));
            }
            catch (FormatProblem problem)
            {
                errors.Add(new TrajectoryError(record, problem.Field, problem.Message));
            }
        }
    }

    /// <summary>A JSONL field that must be a string when present.</summary>
    private static string? StrictText(JsonElement element, string property, string path)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new FormatProblem(path.Length == 0 ? property : $"{path}.{property}", "must be a string.");
    }

    private static List<JsonElement> Array(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray()]
            : throw new FormatProblem(property, "is missing or is not a list.");

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) ? AnyText(value) : null;

    /// <summary>A string as it is; a number or a structure as its JSON; null as null.</summary>
    private static string? AnyText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    /// <summary>A chat message's content: a string, or the text parts of a list of content parts.</summary>
    private static string? Content(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return null;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return AnyText(content);
        }

        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (Text(part, "text") is { } t)
            {
                text.Append(text.Length > 0 ? "\n" : "").Append(t);
            }
        }

        return text.ToString();
    }

    private static string? Observation(string? text) =>
        text is null || text.Length <= MaxObservation ? text : $"{text[..MaxObservation]}\n[… {text.Length - MaxObservation} more characters cut]";

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    [GeneratedRegex(@"```[a-zA-Z]*\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    private sealed class FormatProblem(string field, string message) : Exception(message)
    {
        public string Field { get; } = field;
    }
}
