using MtlPortal.Web.Cli;

namespace MtlPortal.UnitTests.Cli;

public class CommandDispatchTests
{
    [Theory]
    [InlineData(new[] { "create-user", "--email", "x" }, true)]
    [InlineData(new[] { "migrate" }, true)]
    [InlineData(new[] { "--help" }, true)]
    [InlineData(new[] { "help" }, true)]
    [InlineData(new[] { "frobnicate" }, true)]
    [InlineData(new[] { "--Database:DataDirectory", "/srv/mtl", "migrate" }, true)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:5000", "frobnicate" }, true)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:5000" }, false)]
    [InlineData(new[] { "--urls=http://127.0.0.1:5000", "--Database:DataDirectory", "/srv/mtl" }, false)]
    [InlineData(new[] { "Urls=http://127.0.0.1:5000" }, false)]
    [InlineData(new string[0], false)]
    public void IsCommand_TellsCommandsFromHostArguments(string[] args, bool expected) =>
        Assert.Equal(expected, OperatorCli.IsCommand(args));
}
