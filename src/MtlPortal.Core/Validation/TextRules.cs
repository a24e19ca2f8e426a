using System.Text.Json;

namespace MtlPortal.Validation;

/// <summary>
/// The one check every text input passes before anything is written: PostgreSQL cannot store a NUL character, and
/// a lone UTF-16 surrogate (from a "\ud800" escape in JSON, say) is not text at all and cannot be encoded as UTF-8.
/// Without this check such input fails deep in a write, as a 500 or a crash.
/// </summary>
public static class TextRules
{
    /// <summary>The position of the first NUL or lone surrogate in <paramref name="text"/>, or -1 when it is clean.</summary>
    public static int IndexOfUnstorable(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c))
            {
                return i;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return i;
                }

                i++;
            }
        }

        return -1;
    }

    /// <summary>The message for a field that holds an unstorable character, worded for the person who sent it.</summary>
    public static string Problem(string field, int position) =>
        $"'{field}' contains a NUL character or a broken Unicode character (a lone surrogate) at position {position + 1}; remove it.";

    /// <summary>An error naming <paramref name="field"/> when <paramref name="value"/> holds an unstorable character.</summary>
    public static FieldError? Check(string field, string? value) =>
        value is not null && IndexOfUnstorable(value) is var at and >= 0 ? new FieldError(field, Problem(field, at)) : null;

    /// <summary>One error per field that holds an unstorable character.</summary>
    public static IEnumerable<FieldError> Check(IEnumerable<(string Field, string? Value)> fields) =>
        fields.Select(f => Check(f.Field, f.Value)).OfType<FieldError>();

    /// <summary>
    /// Every string and property name in a JSON document, with its path ("steps[2].action"). System.Text.Json
    /// accepts a lone surrogate escape while parsing but throws when the string is read, so this runs before any
    /// value is read.
    /// </summary>
    public static IReadOnlyList<FieldError> CheckJson(JsonElement root)
    {
        var errors = new List<FieldError>();
        Walk(root, "", errors);
        return errors;
    }

    private static void Walk(JsonElement element, string path, List<FieldError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        errors.Add(new FieldError(path, $"A property name in '{(path.Length == 0 ? "the body" : path)}' contains a broken Unicode character (a lone surrogate); remove it."));
                        continue;
                    }

                    var child = path.Length == 0 ? name : $"{path}.{name}";
                    if (Check(child, name) is not null)
                    {
                        errors.Add(new FieldError(child, $"The property name '{child}' contains a NUL character; remove it."));
                        continue;
                    }

                    Walk(property.Value, child, errors);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, $"{path}[{index++}]", errors);
                }

                break;
            case JsonValueKind.String:
                string? text;
                try
                {
                    text = element.GetString();
                }
                catch (InvalidOperationException)
                {
                    errors.Add(new FieldError(path, $"'{path}' contains a NUL character or a broken Unicode character (a lone surrogate); remove it."));
                    break;
                }

                if (Check(path, text) is { } error)
                {
                    errors.Add(error);
                }

                break;
        }
    }
}
