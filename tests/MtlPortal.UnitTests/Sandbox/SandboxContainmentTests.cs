using System.Net;
using System.Net.Sockets;
using MtlPortal.Sandbox;

namespace MtlPortal.UnitTests.Sandbox;

/// <summary>Hostile programs stay inside: each ends with the right verdict and leaves the machine as it was.</summary>
public class SandboxContainmentTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task InfiniteLoop_IsKilledAtTheWallClockLimit_AsTimeout()
    {
        var result = await fixture.RunPythonAsync("while True:\n    pass\n", TimeSpan.FromSeconds(1));

        SandboxAssert.Verdict(SandboxVerdict.Timeout, result);
        Assert.Null(result.ExitCode);
    }

    [Fact]
    public async Task ChildProcesses_AreKilledWithTheProgram_WhenItTimesOut()
    {
        // A child that outlived the verdict would go on using the machine; the whole group must go.
        var token = "mtl-orphan-" + Guid.NewGuid().ToString("N");
        var result = await fixture.RunPythonAsync($$"""
            import subprocess, time
            subprocess.Popen(["/bin/sh", "-c", "sleep 60; echo {{token}}"], start_new_session=True)
            while True:
                time.sleep(0.1)
            """, TimeSpan.FromSeconds(1));

        SandboxAssert.Verdict(SandboxVerdict.Timeout, result);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.DoesNotContain(Directory.EnumerateDirectories("/proc").Select(CommandLine), c => c.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task MemoryBomb_EndsAsOutOfMemory()
    {
        var result = await fixture.RunPythonAsync("blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 1024 * 1024))\n");

        SandboxAssert.Verdict(SandboxVerdict.OutOfMemory, result);
        Assert.Contains("MemoryError", result.Output);
    }

    [Fact]
    public async Task ForkBomb_IsStoppedAtTheProcessLimit()
    {
        var result = await fixture.RunPythonAsync("""
            import os, sys, time
            started = 0
            try:
                for _ in range(2000):
                    if os.fork() == 0:
                        time.sleep(5)
                        os._exit(0)
                    started += 1
            except OSError as e:
                print("fork refused after", started, type(e).__name__)
                sys.exit(3)
            print("started", started)
            """);

        SandboxAssert.Verdict(SandboxVerdict.Failed, result);
        Assert.Equal(3, result.ExitCode);
        var started = int.Parse(result.Output.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(started < fixture.Options.MaxProcesses, $"The program started {started} processes; the limit is {fixture.Options.MaxProcesses}.");
    }

    [Fact]
    public async Task EndlessForkBomb_EndsAsTimeout()
    {
        var result = await fixture.RunPythonAsync("""
            import os
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
            """, TimeSpan.FromSeconds(2));

        SandboxAssert.Verdict(SandboxVerdict.Timeout, result);
    }

    [Fact]
    public async Task ConnectionToAPortOnThisMachine_NeverArrives()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var addresses = (await Dns.GetHostAddressesAsync(Dns.GetHostName())).Where(a => a.AddressFamily == AddressFamily.InterNetwork).Select(a => a.ToString()).Append("127.0.0.1").Distinct();

        var result = await fixture.RunPythonAsync($$"""
            import socket, sys
            for host in {{"[" + string.Join(", ", addresses.Select(a => $"'{a}'")) + "]"}}:
                try:
                    socket.create_connection((host, {{port}}), timeout=2).close()
                    print("connected to", host)
                    sys.exit(0)
                except OSError as e:
                    print(host, type(e).__name__, e)
            sys.exit(1)
            """);

        SandboxAssert.Verdict(SandboxVerdict.Failed, result);
        Assert.DoesNotContain("connected to", result.Output);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task WriteOutsideItsFolder_Fails_AndNothingAppears()
    {
        var outside = Directory.CreateTempSubdirectory("mtl-outside-");
        try
        {
            var target = Path.Combine(outside.FullName, "written.txt");
            var result = await fixture.RunPythonAsync($$"""
                import sys
                wrote = []
                for path in ["{{target}}", "/usr/written.txt", "/etc/written.txt", "/written.txt"]:
                    try:
                        with open(path, "w") as f:
                            f.write("x")
                        wrote.append(path)
                    except OSError as e:
                        print(path, type(e).__name__)
                with open("inside.txt", "w") as f:
                    f.write("allowed")
                sys.exit(1 if wrote else 0)
                """);

            SandboxAssert.Verdict(SandboxVerdict.Passed, result);
            Assert.False(File.Exists(target));
            Assert.False(File.Exists("/usr/written.txt"));
            Assert.False(File.Exists("/etc/written.txt"));
            Assert.False(File.Exists("/written.txt"));
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task SecretInThePortalsDataFolder_CannotBeRead()
    {
        // Stands for .mtl/ (the embedded database, the data-protection keys): outside the system folders.
        var dataFolder = Directory.CreateTempSubdirectory("mtl-data-");
        try
        {
            var secret = "secret-" + Guid.NewGuid().ToString("N");
            var file = Path.Combine(dataFolder.FullName, "keys.xml");
            await File.WriteAllTextAsync(file, secret);

            var result = await fixture.RunPythonAsync($$"""
                import os
                try:
                    print(open("{{file}}").read())
                except OSError as e:
                    print("refused:", type(e).__name__)
                print(os.listdir("/"))
                print(sorted(os.environ))
                """);

            SandboxAssert.Verdict(SandboxVerdict.Passed, result);
            Assert.Contains("refused: FileNotFoundError", result.Output);
            Assert.DoesNotContain(secret, result.Output);
        }
        finally
        {
            dataFolder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task PortalEnvironment_IsNotPassedToThePrograms()
    {
        Environment.SetEnvironmentVariable("MTL_SANDBOX_TEST_SECRET", "do-not-leak");
        var result = await fixture.RunPythonAsync("import os\nprint(sorted(os.environ.items()))\n");

        SandboxAssert.Verdict(SandboxVerdict.Passed, result);
        Assert.DoesNotContain("do-not-leak", result.Output);
        Assert.Contains("'HOME', '/sandbox'", result.Output);
    }

    [Fact]
    public async Task EndlessOutput_IsCappedAndMarked()
    {
        var result = await fixture.RunPythonAsync("import sys\nfor i in range(200000):\n    sys.stdout.write('line %d\\n' % i)\n");

        SandboxAssert.Verdict(SandboxVerdict.Passed, result);
        Assert.True(result.OutputTruncated);
        Assert.True(result.Output.Length < fixture.Options.MaxOutputBytes + 200, $"The output kept {result.Output.Length} characters.");
        Assert.Contains("output cut", result.Output);
    }

    private static string CommandLine(string processFolder)
    {
        try
        {
            return File.ReadAllText(Path.Combine(processFolder, "cmdline")).Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
