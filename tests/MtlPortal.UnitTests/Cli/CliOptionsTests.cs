using MtlPortal.Web.Cli;

namespace MtlPortal.UnitTests.Cli;

public class CliOptionsTests
{
    private static readonly string[] Known = ["email", "role"];

    [Fact]
    public void Parse_RepeatedAndEqualsForms_CollectsEveryValue()
    {
        var (options, error) = CliOptions.Parse(["--email", "a@b.org", "--role=Admin", "--role", "Reviewer"], Known);

        Assert.Null(error);
        Assert.Equal(["a@b.org"], options!["email"]);
        Assert.Equal(["Admin", "Reviewer"], options["role"]);
    }

    [Theory]
    [InlineData(new[] { "--colour", "red" }, "unknown option '--colour'")]
    [InlineData(new[] { "--email" }, "option '--email' needs a value")]
    [InlineData(new[] { "--email", "--role", "Admin" }, "option '--email' needs a value")]
    [InlineData(new[] { "stray" }, "unexpected argument 'stray'")]
    public void Parse_BadArguments_NamesTheProblem(string[] args, string expected)
    {
        var (options, error) = CliOptions.Parse(args, Known);

        Assert.Null(options);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(new[] { "create-user", "--email", "x" }, true)]
    [InlineData(new[] { "migrate" }, true)]
    [InlineData(new[] { "--help" }, true)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:5000" }, false)]
    [InlineData(new string[0], false)]
    public void IsCommand_TellsCommandsFromHostArguments(string[] args, bool expected) =>
        Assert.Equal(expected, OperatorCli.IsCommand(args));
}
