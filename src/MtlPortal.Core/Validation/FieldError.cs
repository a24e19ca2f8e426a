namespace MtlPortal.Validation;

/// <summary>A problem with one input field (or, with an empty field name, with the request as a whole), worded for the person who sent it.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>Why a write was refused; the API maps each to its status code (400, 403, 404, 409).</summary>
public enum WriteFailure
{
    None = 0,
    Invalid = 1,
    Forbidden = 2,
    NotFound = 3,
    Conflict = 4,
}

/// <summary>The result of a write: either it succeeded with a value, or nothing was written and the errors say why.</summary>
public sealed record WriteResult<T>(T? Value, IReadOnlyList<FieldError> Errors, WriteFailure Failure = WriteFailure.None)
{
    public bool Succeeded => Failure == WriteFailure.None;

    public static WriteResult<T> Ok(T value) => new(value, []);

    public static WriteResult<T> Fail(params IEnumerable<FieldError> errors) => new(default, [.. errors], WriteFailure.Invalid);

    public static WriteResult<T> Fail(string field, string message) => new(default, [new FieldError(field, message)], WriteFailure.Invalid);

    public static WriteResult<T> Forbidden(string message) => new(default, [new FieldError("", message)], WriteFailure.Forbidden);

    public static WriteResult<T> NotFound(string message) => new(default, [new FieldError("", message)], WriteFailure.NotFound);

    public static WriteResult<T> Conflict(string message) => new(default, [new FieldError("", message)], WriteFailure.Conflict);

    /// <summary>The same failure, for a result of another type.</summary>
    public WriteResult<TOther> Cast<TOther>() =>
        Succeeded ? throw new InvalidOperationException("Only a failure can be cast.") : new(default, Errors, Failure);

    /// <summary>The errors grouped by field, as ASP.NET's validation problem details expect.</summary>
    public IDictionary<string, string[]> ErrorsByField() =>
        Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).Distinct().ToArray());
}
