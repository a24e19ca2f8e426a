using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MtlPortal.McpTests;

/// <summary>
/// The built MCP server as a child process (<c>dotnet MtlPortal.Mcp.dll</c>), spoken to the way MCP clients do:
/// one JSON-RPC message per line on its standard input and output. Written against the wire format rather than
/// the SDK's client, so the tests see exactly what an agent's client sees; every line on standard output must be
/// JSON-RPC, anything else fails the test.
/// </summary>
public sealed class McpServerProcess : IAsyncDisposable
{
    public const string ProtocolVersion = "2025-06-18";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _standardError = new();
    private int _lastId;

    private McpServerProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The path of the server's build, recorded by this project's build (see the .csproj).</summary>
    public static string ServerAssembly { get; } =
        typeof(McpServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "McpServerAssembly").Value
        ?? throw new InvalidOperationException("The build did not record where MtlPortal.Mcp.dll is.");

    /// <summary>What the server wrote to standard error so far (its log), for failure messages.</summary>
    public string StandardError => string.Join('\n', _standardError);

    /// <summary>Starts the server with <paramref name="environment"/>; no MTL_* variable is inherited from this process.</summary>
    public static McpServerProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServerAssembly);

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MTL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var server = new McpServerProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                server._standardError.Enqueue(e.Data);
            }
        };
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>The result of the <c>initialize</c> request (after <see cref="StartInitializedAsync"/>).</summary>
    public JsonElement Initialize { get; private set; }

    /// <summary>Starts the server against <paramref name="portal"/> with <paramref name="apiKey"/> and completes the handshake.</summary>
    public static async Task<McpServerProcess> StartInitializedAsync(Uri portal, string apiKey)
    {
        var server = Start(new Dictionary<string, string> { ["MTL_PORTAL_URL"] = portal.ToString(), ["MTL_API_KEY"] = apiKey });
        var initialize = await server.RequestAsync("initialize", new JsonObject
        {
            ["protocolVersion"] = ProtocolVersion,
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "mtl-portal-tests", ["version"] = "1.0" },
        });
        await server.NotifyAsync("notifications/initialized");
        server.Initialize = initialize.TryGetProperty("result", out var result)
            ? result
            : throw new InvalidOperationException($"initialize failed: {initialize}. Server log:\n{server.StandardError}");
        return server;
    }

    /// <summary>Sends a request and returns the whole response (with "result" or "error").</summary>
    public async Task<JsonElement> RequestAsync(string method, JsonNode? parameters = null)
    {
        var id = Interlocked.Increment(ref _lastId);
        await SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            string? line;
            try
            {
                line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No answer to {method} within {Timeout.TotalSeconds} s. Server log:\n{StandardError}");
            }

            if (line is null)
            {
                throw new InvalidOperationException($"The server closed its output before answering {method}. Server log:\n{StandardError}");
            }

            JsonElement message;
            try
            {
                message = JsonDocument.Parse(line).RootElement;
            }
            catch (JsonException e)
            {
                throw new InvalidOperationException($"The server wrote a line that is not JSON-RPC on standard output ({e.Message}): {line}");
            }

            // Notifications (log messages, list changes) may come first; the answer carries our id.
            if (message.TryGetProperty("id", out var answered) && answered.ValueKind == JsonValueKind.Number && answered.GetInt32() == id)
            {
                return message;
            }
        }
    }

    /// <summary>Calls a tool and returns its result (content, structuredContent, isError).</summary>
    public async Task<JsonElement> CallToolAsync(string name, JsonObject arguments)
    {
        var response = await RequestAsync("tools/call", new JsonObject { ["name"] = name, ["arguments"] = arguments });
        return response.TryGetProperty("result", out var result)
            ? result
            : throw new InvalidOperationException($"tools/call {name} failed at the protocol level: {response}");
    }

    public Task NotifyAsync(string method) => SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method });

    /// <summary>Waits for the process to end on its own; returns its exit code and everything it wrote to standard output.</summary>
    public async Task<(int ExitCode, string StandardOutput)> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var output = await _process.StandardOutput.ReadToEndAsync(timeout.Token);
        await _process.WaitForExitAsync(timeout.Token);
        return (_process.ExitCode, output);
    }

    public async ValueTask DisposeAsync()
    {
        // Closing standard input is how a client ends a stdio server; kill it only if it does not take the hint.
        try
        {
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (IOException)
        {
            // Standard input is already closed: the process has ended.
        }

        _process.Dispose();
    }

    private async Task SendAsync(JsonObject message)
    {
        await _process.StandardInput.WriteLineAsync(message.ToJsonString());
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The dotnet host running these tests, so the server runs on the same runtime.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path
        : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : "dotnet";
}
