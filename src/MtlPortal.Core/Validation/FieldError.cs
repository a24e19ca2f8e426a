namespace MtlPortal.Validation;

/// <summary>A problem with one input field, worded for the person who filled it in.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>The result of a write: either it succeeded with a value, or nothing was written and the errors say why.</summary>
public sealed record WriteResult<T>(T? Value, IReadOnlyList<FieldError> Errors)
{
    public bool Succeeded => Errors.Count == 0;

    public static WriteResult<T> Ok(T value) => new(value, []);

    public static WriteResult<T> Fail(params IEnumerable<FieldError> errors) => new(default, [.. errors]);

    public static WriteResult<T> Fail(string field, string message) => new(default, [new FieldError(field, message)]);

    /// <summary>The errors grouped by field, as ASP.NET's validation problem details expect.</summary>
    public IDictionary<string, string[]> ErrorsByField() =>
        Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).Distinct().ToArray());
}
