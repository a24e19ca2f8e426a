using Microsoft.Extensions.Configuration;
using MtlPortal.Web.Cli;

namespace MtlPortal.IntegrationTests.Cli;

public class OperatorCliTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    private async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await OperatorCli.RunAsync(args, stdout, stderr, c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = database.ConnectionString,
        }));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task CreateUser_AdminWithTeam_CanThenSignIn()
    {
        var (exit, output, error) = await RunAsync("create-user", "--email", "ops@example.org", "--password", PortalFactory.Password, "--role", "admin", "--team", "Ops");

        Assert.True(exit == 0, error);
        Assert.Contains("Created user ops@example.org", output);
        Assert.Contains("role(s) Admin in team(s) Ops", output);

        await using var portal = new SecondInstancePortalFactory(database.ConnectionString);
        await portal.InitializeAsync();
        var client = portal.CreateBrowserlikeClient();
        var signIn = await client.SignInAsync("ops@example.org");
        Assert.Equal("/", signIn.RedirectTarget());
        Assert.Contains("Welcome, ops", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task CreateUser_ArgumentWithALoneSurrogate_ExitsWithAUsageErrorNamingTheOption_AndCreatesNobody()
    {
        var (exit, _, error) = await RunAsync("create-user", "--email", "broken@example.org", "--password", PortalFactory.Password, "--role", "Reviewer", "--name", "Ada\ud800");
        var (again, _, _) = await RunAsync("create-user", "--email", "broken@example.org", "--password", PortalFactory.Password, "--role", "Reviewer");

        Assert.Equal(2, exit);
        Assert.Contains("(--name) contains a NUL character or a broken Unicode character", error);
        Assert.Equal(0, again);
    }

    [Fact]
    public async Task CreateUser_Duplicate_ExitsNonZeroAndSaysSo()
    {
        await RunAsync("create-user", "--email", "twice@example.org", "--password", PortalFactory.Password, "--role", "Reviewer");

        var (exit, _, error) = await RunAsync("create-user", "--email", "twice@example.org", "--password", PortalFactory.Password, "--role", "Reviewer");

        Assert.Equal(1, exit);
        Assert.Contains("A user with this email already exists.", error);
    }

    [Theory]
    [InlineData(new[] { "create-user", "--email", "x@example.org", "--role", "Admin" }, "missing --password")]
    [InlineData(new[] { "create-user", "--email", "x@example.org", "--password", "Pass-word-1", "--role", "Boss" }, "'Boss' is not a role")]
    [InlineData(new[] { "create-user", "--mail", "x@example.org" }, "unknown option '--mail'")]
    public async Task CreateUser_BadArguments_ExitNonZeroWithTheReason(string[] args, string expected)
    {
        var (exit, _, error) = await RunAsync(args);

        Assert.NotEqual(0, exit);
        Assert.Contains(expected, error);
    }

    [Fact]
    public async Task Migrate_OnAnUpToDateDatabase_SaysSo()
    {
        await RunAsync("migrate");

        var (exit, output, _) = await RunAsync("migrate");

        Assert.Equal(0, exit);
        Assert.Contains("up to date", output);
    }

    [Fact]
    public async Task Reembed_WithEveryVectorCurrent_SaysThereIsNothingToDo()
    {
        var (exit, output, error) = await RunAsync("reembed");

        Assert.True(exit == 0, error);
        Assert.Contains("Every stored vector already comes from lexical-hashed-ngrams-384-v1.", output);
    }

    [Fact]
    public async Task CreateApiKey_PrintsASecretThatAuthenticatesOnce()
    {
        await RunAsync("create-user", "--email", "keyholder@example.org", "--password", PortalFactory.Password, "--role", "Contributor", "--team", "Keys");

        var (exit, output, error) = await RunAsync("create-api-key", "--user", "keyholder@example.org", "--scopes", "memories:read,feedback:write", "--expires", "30");
        var (badExit, _, badError) = await RunAsync("create-api-key", "--user", "keyholder@example.org", "--scopes", "reviews:write");

        Assert.True(exit == 0, error);
        var secret = output.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("mtl_", StringComparison.Ordinal));
        Assert.Contains("with scopes memories:read, feedback:write, expiring", output);
        Assert.Equal(1, badExit);
        Assert.Contains("do not allow reviews:write", badError);

        await using var portal = new SecondInstancePortalFactory(database.ConnectionString);
        await portal.InitializeAsync();
        var client = portal.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/v1/memories")).StatusCode);
    }

    [Fact]
    public async Task Help_ListsTheCommands()
    {
        var (exit, output, _) = await RunAsync("--help");

        Assert.Equal(0, exit);
        Assert.Contains("create-user --email E --password P --role R", output);
        Assert.Contains("migrate", output);
    }
}
