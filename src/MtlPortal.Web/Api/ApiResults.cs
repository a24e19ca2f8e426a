using MtlPortal.Validation;

namespace MtlPortal.Web.Api;

/// <summary>What every agent API resource answers alike.</summary>
public static class ApiResults
{
    /// <summary>A refused write as the status it stands for, with the workflow's own words.</summary>
    public static IResult Refusal<TValue>(WriteResult<TValue> result) => result.Failure switch
        {
            WriteFailure.Invalid => TypedResults.ValidationProblem(result.ErrorsByField()),
            WriteFailure.Forbidden => TypedResults.Problem(statusCode: 403, title: "Not allowed.", detail: result.Errors[0].Message),
            WriteFailure.NotFound => TypedResults.Problem(statusCode: 404, title: "Not found.", detail: result.Errors[0].Message),
            _ => TypedResults.Problem(statusCode: 409, title: "Conflict.", detail: result.Errors[0].Message),
        };

    /// <summary>An enum value as the API writes it.</summary>
    public static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();
}
