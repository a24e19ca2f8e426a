using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace MtlPortal.Web.Cli;

/// <summary>
/// Options and parsers shared by commands. A value the parser refuses is a parse error: the library prints it with
/// the command's help, and the process exits with <see cref="OperatorCli.UsageError"/>.
/// </summary>
internal static class CliValues
{
    /// <summary>An option that may be given several times (<c>--role A --role B</c>), each time with one value.</summary>
    public static Option<string[]> Repeatable(string name, string helpName, string description) =>
        new(name) { HelpName = helpName, Description = description, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };

    /// <summary>Every value of a repeatable option whose values may also be comma-separated lists.</summary>
    public static List<string> CommaSeparated(IEnumerable<string>? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    /// <summary>
    /// A number read the same way whatever the machine's culture (a decimal point, never a thousands separator);
    /// <paramref name="error"/> says what the option takes.
    /// </summary>
    public static Option<T?> Number<T>(string name, string helpName, string description, string error, NumberStyles styles = NumberStyles.Integer)
        where T : struct, INumber<T> =>
        new(name)
        {
            HelpName = helpName,
            Description = description,
            CustomParser = result => T.TryParse(Single(result), styles, CultureInfo.InvariantCulture, out var value) ? value : Fail<T?>(result, error),
        };

    /// <summary>A file that must exist when the command starts, with the command's wording when it does not.</summary>
    public static Argument<string> ExistingFile(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } path && !File.Exists(path))
            {
                result.AddError($"there is no file '{path}'.");
            }
        });
        return argument;
    }

    /// <summary>The option's value as given (its last token), or null when it was given without one.</summary>
    public static string? Single(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;

    /// <summary>Records <paramref name="error"/> as the parse error of this value.</summary>
    public static T? Fail<T>(ArgumentResult result, string error)
    {
        result.AddError(error);
        return default;
    }
}
