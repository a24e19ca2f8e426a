using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MtlPortal.Mcp;

/// <summary>
/// Checks a tool call's arguments against the tool's own published input schema before the SDK binds them, so a
/// missing, unknown or wrongly typed argument is a tool error naming it ("k: must be an integer") instead of the
/// SDK's bare "An error occurred invoking". The schema is the one <c>tools/list</c> shows: what it says is what is accepted.
/// </summary>
public static class ToolArguments
{
    /// <summary>The memory tools with their argument check: the one registration for stdio and for <c>/mcp</c>.</summary>
    public static IMcpServerBuilder WithMemoryTools(this IMcpServerBuilder builder) =>
        builder
            .WithTools<MemoryTools>()
            .WithRequestFilters(filters => filters.AddCallToolFilter(next => async (request, cancellationToken) =>
                request.MatchedPrimitive is McpServerTool tool && Check(tool.ProtocolTool.InputSchema, request.Params?.Arguments) is { Count: > 0 } errors
                    ? new CallToolResult
                    {
                        IsError = true,
                        Content = [new TextContentBlock { Text = $"The arguments of {tool.ProtocolTool.Name} are not what it takes:\n- {string.Join("\n- ", errors)}\nCorrect them and call the tool again." }],
                    }
                    : await next(request, cancellationToken)));

    /// <summary>One message per wrong argument, each starting with the argument's name; empty when all is well.</summary>
    public static IReadOnlyList<string> Check(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        var errors = new List<string>();
        CheckObject("", schema, arguments?.ToDictionary() ?? [], errors);
        return errors;
    }

    private static void CheckObject(string prefix, JsonElement schema, Dictionary<string, JsonElement> values, List<string> errors)
    {
        var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!values.TryGetValue(name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                {
                    errors.Add($"{prefix}{name}: is required.");
                }
            }
        }

        if (properties.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var (name, value) in values)
        {
            if (!properties.TryGetProperty(name, out var property))
            {
                errors.Add($"{prefix}{name}: is not an argument here; the arguments are {string.Join(", ", properties.EnumerateObject().Select(x => x.Name))}.");
            }
            else if (value.ValueKind is not JsonValueKind.Undefined && !(value.ValueKind == JsonValueKind.Null && !IsRequired(schema, name) && !Types(property).Any()))
            {
                CheckValue(prefix + name, value, property, errors);
            }
        }
    }

    private static bool IsRequired(JsonElement schema, string name) =>
        schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array && required.EnumerateArray().Any(r => r.GetString() == name);

    private static string[] Types(JsonElement schema) => schema.TryGetProperty("type", out var type)
        ? type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)] : [type.GetString()!]
        : [];

    private static void CheckValue(string path, JsonElement value, JsonElement schema, List<string> errors)
    {
        var types = Types(schema);
        if (types.Length == 0)
        {
            return;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            // Leaving out an optional argument and sending null for it mean the same to an agent.
            if (!types.Contains("null") && !types.Contains("object") && !types.Contains("array"))
            {
                errors.Add($"{path}: {Expected(types, schema)}, not null; leave it out to use its default.");
            }

            return;
        }

        var matched = types.FirstOrDefault(t => t switch
        {
            "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && d == Math.Floor(d),
            "number" => value.ValueKind == JsonValueKind.Number,
            "string" => value.ValueKind == JsonValueKind.String,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "array" => value.ValueKind == JsonValueKind.Array,
            "object" => value.ValueKind == JsonValueKind.Object,
            _ => false,
        });
        switch (matched)
        {
            case null:
                errors.Add($"{path}: {Expected(types, schema)}.");
                break;
            case "integer" or "number" when OutOfRange(value.GetDouble(), schema):
                errors.Add($"{path}: {Expected(types, schema)}.");
                break;
            case "array" when schema.TryGetProperty("items", out var items):
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    CheckValue($"{path}[{index++}]", item, items, errors);
                }

                break;
            case "object":
                CheckObject(path + ".", schema, value.EnumerateObject().ToDictionary(x => x.Name, x => x.Value), errors);
                break;
        }
    }

    private static bool OutOfRange(double number, JsonElement schema) =>
        (schema.TryGetProperty("minimum", out var min) && min.ValueKind == JsonValueKind.Number && number < min.GetDouble())
        || (schema.TryGetProperty("maximum", out var max) && max.ValueKind == JsonValueKind.Number && number > max.GetDouble());

    private static string Expected(string[] types, JsonElement schema)
    {
        var kinds = types.Where(t => t != "null").Select(t => t switch
        {
            "integer" => "an integer",
            "number" => "a number",
            "string" => "a string",
            "boolean" => "true or false",
            "array" => "a list",
            "object" => "an object",
            _ => t,
        }).ToList();
        var text = "must be " + (kinds.Count == 0 ? "null" : string.Join(" or ", kinds));
        var min = schema.TryGetProperty("minimum", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetDouble().ToString(CultureInfo.InvariantCulture) : null;
        var max = schema.TryGetProperty("maximum", out var x) && x.ValueKind == JsonValueKind.Number ? x.GetDouble().ToString(CultureInfo.InvariantCulture) : null;
        return (min, max) switch
        {
            (not null, not null) => $"{text} from {min} to {max}",
            (not null, null) => $"{text} of at least {min}",
            (null, not null) => $"{text} of at most {max}",
            _ => text,
        };
    }
}
