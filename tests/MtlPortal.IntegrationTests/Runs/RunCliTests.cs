using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using MtlPortal.Agents;
using MtlPortal.Runs;

namespace MtlPortal.IntegrationTests.Runs;

public sealed class RunCliTests : IAsyncLifetime
{
    private readonly RunPortal _portal = new();

    public Task InitializeAsync() => _portal.InitializeAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task Run_WaitJson_PrintsProgressThenTheSameObjectAsTheApi()
    {
        _portal.Llm.Reply = messages => RunPortal.IsPlanRequest(messages) ? "Return the number." : RunPortal.Answer(RunPortal.TaskNumber(messages));
        await _portal.BenchmarkAsync("cli-bench", tasks: 3);

        var (exit, output, error) = await _portal.CliAsync("run", "--benchmark", "cli-bench", "--conditions", "zero-shot", "--attempts", "2", "--limit", "2", "--wait", "--json");

        Assert.True(exit == 0, error + output);
        Assert.Contains("Started run", output);
        Assert.Contains("/4 attempts", output);
        var json = JsonDocument.Parse(output[output.IndexOf("\n{", StringComparison.Ordinal)..]).RootElement;
        Assert.Equal("completed", json.GetProperty("status").GetString());
        Assert.Equal(4, json.GetProperty("progress").GetProperty("done").GetInt32());
        Assert.Equal("first 2", json.GetProperty("selection").GetString());
        var client = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.MemoriesRead);
        var fromApi = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/runs/{json.GetProperty("id").GetGuid()}")).RootElement;
        Assert.True(
            System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(fromApi.GetProperty("conditions").GetRawText()), System.Text.Json.Nodes.JsonNode.Parse(json.GetProperty("conditions").GetRawText())),
            $"CLI: {json.GetProperty("conditions")}\nAPI: {fromApi.GetProperty("conditions")}");

        var (statusExit, status, _) = await _portal.CliAsync("run-status", json.GetProperty("id").GetString()!);
        Assert.Equal(0, statusExit);
        Assert.Contains("completed", status);
        Assert.Contains("pass@2 1.000", status);
    }

    [Theory]
    [InlineData(new[] { "run", "--conditions", "insight" }, "Option '--benchmark' is required.")]
    [InlineData(new[] { "run", "--benchmark", "nope" }, "--benchmark: There is no benchmark 'nope'.")]
    [InlineData(new[] { "run", "--benchmark", "nope", "--mode", "swarm" }, "--mode is single or agent")]
    [InlineData(new[] { "run-status", "not-an-id" }, "give the run's id")]
    public async Task Run_BadArguments_ExitNonZeroWithTheReason(string[] args, string expected)
    {
        var (exit, _, error) = await _portal.CliAsync(args);

        Assert.NotEqual(0, exit);
        Assert.Contains(expected, error);
    }

    [Fact]
    public async Task AddModel_KeyFromTheEnvironment_IsStoredEncryptedAndNeverShown()
    {
        const string secret = "sk-cli-secret-7781";
        Environment.SetEnvironmentVariable("MTL_TEST_MODEL_KEY", secret);
        try
        {
            var (exit, output, error) = await _portal.CliAsync("add-model", "--name", "cheap", "--endpoint", "http://127.0.0.1:9/v1", "--model", "mini", "--api-key-env", "MTL_TEST_MODEL_KEY", "--input-price", "0.15", "--output-price", "0.6");

            Assert.True(exit == 0, error);
            Assert.Contains("key stored encrypted", output);
            Assert.DoesNotContain(secret, output + error);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MTL_TEST_MODEL_KEY", null);
        }

        await using var db = await _portal.DbAsync();
        var stored = await db.Set<ModelConnection>().SingleAsync(c => c.Name == "cheap");
        Assert.NotNull(stored.ProtectedApiKey);
        Assert.DoesNotContain(secret, stored.ProtectedApiKey);
        Assert.Equal(0.6m, stored.OutputPricePerMillion);
        Assert.DoesNotContain(await db.AuditEntries.Select(a => a.Details ?? "").ToListAsync(), d => d.Contains(secret, StringComparison.Ordinal));

        // The portal (another host) decrypts it: its requests carry the key.
        var client = _portal.Services.GetRequiredService<ModelConnections>().CreateClient(new ModelConnection
        {
            Name = stored.Name, Endpoint = _portal.Llm.Endpoint.ToString(), Model = stored.Model, ProtectedApiKey = stored.ProtectedApiKey,
        });
        await client.GetResponseAsync("hello");
        Assert.Equal($"Bearer {secret}", _portal.Llm.Requests[^1].Authorization);
    }
}

public sealed class ModelConnectionsApiTests : IAsyncLifetime
{
    private readonly RunPortal _portal = new();

    public Task InitializeAsync() => _portal.InitializeAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task Admin_AddsAConnection_WhoseKeyIsNeverReturned_ManagerMayNot()
    {
        var admin = await _portal.KeyClientAsync(_portal.AdminId, ApiScopes.RunsWrite);
        var manager = await _portal.KeyClientAsync(_portal.Manager, ApiScopes.RunsWrite);
        var body = new { name = "big", endpoint = "https://models.example.org/v1", model = "big-1", apiKey = "sk-api-secret-99", inputPricePerMillion = 1.5 };

        var refused = await manager.PostAsJsonAsync("/api/v1/models", body);
        var saved = await admin.PostAsJsonAsync("/api/v1/models", body);
        var bad = await admin.PostAsJsonAsync("/api/v1/models", new { name = "", endpoint = "models.example.org", model = "x" });

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _) && errors.TryGetProperty("endpoint", out _), errors.ToString());
        var list = await manager.GetStringAsync("/api/v1/models");
        Assert.DoesNotContain("sk-api-secret-99", list + await saved.Content.ReadAsStringAsync());
        var big = JsonDocument.Parse(list).RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == "big");
        Assert.True(big.GetProperty("hasApiKey").GetBoolean());
        // The configured Llm:* is there too, seeded at start.
        Assert.Contains(JsonDocument.Parse(list).RootElement.EnumerateArray(), c => c.GetProperty("name").GetString() == RunPortal.Model);
    }
}
