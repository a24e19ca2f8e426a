using Microsoft.Extensions.Configuration;
using MtlPortal.Web.Cli;
using Npgsql;

namespace MtlPortal.IntegrationTests.Cli;

public class OperatorCliTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    private static readonly string[] CommandNames =
    [
        "migrate", "create-user", "import-memories", "export-memories", "create-api-key", "reembed",
        "import-benchmark", "verify-references", "run", "run-status", "add-model", "worker",
    ];

    private Task<(int Exit, string Out, string Error)> RunAsync(params string[] args) =>
        OperatorCommand.RunAsync(c => c.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Portal"] = database.ConnectionString, ["Embeddings:Provider"] = PortalFactory.TestEmbeddingProvider }), args);

    /// <summary>Runs a command with only the configuration it is given on the command line (and appsettings.json).</summary>
    private static Task<(int Exit, string Out, string Error)> RunAsGivenAsync(params string[] args) => OperatorCommand.RunAsync(null, args);

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
    [InlineData(new[] { "create-user", "--email", "x@example.org", "--role", "Admin" }, "Option '--password' is required.")]
    [InlineData(new[] { "create-user", "--email", "x@example.org", "--password", "Pass-word-1", "--role", "Boss" }, "'Boss' is not a role")]
    [InlineData(new[] { "create-user", "--mail", "x@example.org" }, "Unrecognized command or argument '--mail'.")]
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

    [Theory]
    [InlineData("--help")]
    [InlineData("help")]
    public async Task Help_ListsEveryCommand_AndTheConfigurationOverrides(string help)
    {
        var (exit, output, _) = await RunAsync(help);

        Assert.Equal(0, exit);
        Assert.Contains("Usage:\n  mtl [command] [options]", output.ReplaceLineEndings("\n"));
        Assert.All(CommandNames, name => Assert.Matches($@"(?m)^  {name}\b", output));
        Assert.Contains("--Section:Key VALUE", output);
    }

    [Fact]
    public async Task CommandHelp_ListsItsOptions_MarkingTheRequiredOnes()
    {
        var (exit, output, _) = await RunAsync("create-user", "--help");

        Assert.Equal(0, exit);
        Assert.Contains("mtl create-user [options]", output);
        Assert.Contains("--email <EMAIL> (REQUIRED)", output);
        Assert.Contains("--team <TEAM>", output);
    }

    [Theory]
    [InlineData("frobnicate", null)]
    [InlineData("creat-user", "create-user")]
    public async Task UnknownCommand_ExitsNonZero_ListingTheCommands(string command, string? suggested)
    {
        var (exit, output, error) = await RunAsGivenAsync(command);

        Assert.Equal(OperatorCli.UsageError, exit);
        Assert.Empty(output);
        Assert.Contains($"Unrecognized command or argument '{command}'.", error);
        Assert.All(CommandNames, name => Assert.Matches($@"(?m)^  {name}\b", error));
        if (suggested is not null)
        {
            Assert.Contains($"'{command}' was not matched. Did you mean one of the following?\n{suggested}", error.ReplaceLineEndings("\n"));
        }
    }

    [Fact]
    public async Task MissingRequiredOption_IsTheParsersError_WithTheCommandsUsage_AndWritesNothing()
    {
        await RunAsync("create-user", "--email", "nokey@example.org", "--password", PortalFactory.Password, "--role", "Contributor");

        var (exit, output, error) = await RunAsync("create-api-key", "--user", "nokey@example.org");

        Assert.Equal(OperatorCli.UsageError, exit);
        Assert.Empty(output);
        Assert.StartsWith("Option '--scopes' is required.", error, StringComparison.Ordinal);
        Assert.Contains("mtl create-api-key [options]", error);
        Assert.Empty(await ScalarsAsync<string>(database.ConnectionString, """
            SELECT k."Name" FROM "ApiKeys" k JOIN "AspNetUsers" u ON u."Id" = k."UserId" WHERE u."Email" = 'nokey@example.org'
            """));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConnectionStringOverride_OnTheCommandLine_IsTheDatabaseTheCommandWrites(bool equalsForm)
    {
        var other = await MtlPortal.Testing.TestPostgres.CreateDatabaseAsync("cli_override");
        const string email = "override@example.org";
        string[] overrideArgs = equalsForm ? [$"--ConnectionStrings:Portal={other}"] : ["--ConnectionStrings:Portal", other];

        var (exit, output, error) = await RunAsGivenAsync(["create-user", "--email", email, .. overrideArgs, "--password", PortalFactory.Password, "--role", "Reviewer"]);

        Assert.True(exit == 0, error);
        Assert.Contains($"Created user {email}", output);
        Assert.Equal([email], await ScalarsAsync<string>(other, """SELECT "Email" FROM "AspNetUsers" """));
        Assert.DoesNotContain(email, await ScalarsAsync<string>(database.ConnectionString, """SELECT "Email" FROM "AspNetUsers" """));
    }

    [Fact]
    public async Task DataDirectoryOverride_BeforeTheCommand_PutsTheEmbeddedDatabaseThere()
    {
        var folder = MtlPortal.Testing.TestPostgres.NewTempDirectory("cli-data");
        var data = Path.Combine(folder, "pgdata");
        try
        {
            // An empty connection string: the embedded database, whatever the environment says.
            var (exit, output, error) = await RunAsGivenAsync("--Database:DataDirectory", data, "--ConnectionStrings:Portal=", "migrate");

            Assert.True(exit == 0, error);
            Assert.Matches(@"Applied \d+ migration\(s\)", output);
            Assert.True(File.Exists(Path.Combine(data, "PG_VERSION")), $"no cluster in {data}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<List<T>> ScalarsAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }
}
