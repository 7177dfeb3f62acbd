using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>Exit codes, stdio, signals and the container's lifetime, as a supervisor sees them.</summary>
[Collection(RunfCollection.Name)]
public class ProcessTests(TestEnvironment env)
{
    [Theory]
    [InlineData("exit 0", 0)]
    [InlineData("exit 42", 42)]
    [InlineData("exit 255", 255)]
    public void Exits_with_the_commands_status(string script, int expected) =>
        Assert.Equal(expected, Runf.Run(env, "sh", "-c", script).ExitCode);

    [Fact]
    public void Exits_with_128_plus_the_signal_that_killed_the_container()
    {
        // PID 1 cannot SIGKILL itself from inside its namespace: do it from the executor.
        using var p = Runf.Start(env, ["sh", "-c", "echo ready; exec sleep 1000"]);
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        var init = Assert.Single(Runf.ChildrenOf(p.Id));
        Runf.Signal(init, 9);
        Assert.True(p.WaitForExit(10_000));
        Assert.Equal(137, p.ExitCode);
    }

    [Fact]
    public void Options_stop_at_the_command()
    {
        var r = Runf.Run(env, "ls", "-la", "/");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("proc", r.Stdout);
        Assert.Equal("-v --rootfs x\n", Runf.Run(env, "echo", "-v", "--rootfs", "x").Stdout);
        Assert.Equal("ok\n", Runf.Run(env, "--rootfs", "rootfs", "-e", "X=ok", "--", "sh", "-c", "echo $X").Stdout);
    }

    [Fact]
    public void Passes_stdin_through()
    {
        var r = Runf.Run(env, ["sh", "-c", "cat; echo; tr a-z A-Z"], stdin: "first line\nsecond\n");
        Assert.Equal("first line\nsecond\n\n", r.Stdout);
    }

    [Fact]
    public async Task Streams_50_megabytes_of_stdout_intact()
    {
        const long size = 50_000_000;
        using var p = Runf.Start(env, ["sh", "-c", $"yes 0123456789abcdef | head -c {size}"]);
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = p.StandardOutput.BaseStream.Read(buffer)) > 0)
        {
            sha.AppendData(buffer, 0, n);
            total += n;
        }
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(size, total);
        var line = Encoding.ASCII.GetBytes("0123456789abcdef\n");
        var expected = new byte[size];
        for (var i = 0; i < size; i++)
        {
            expected[i] = line[i % line.Length];
        }
        Assert.Equal(SHA256.HashData(expected), sha.GetHashAndReset());
        Assert.Equal("", await stderr);
    }

    [Theory]
    [InlineData(15, "TERM")]
    [InlineData(2, "INT")]
    [InlineData(1, "HUP")]
    [InlineData(10, "USR1")]
    public void Forwards_signals_to_the_container(int signal, string name)
    {
        using var p = Runf.Start(env, ["sh", "-c", $"trap 'echo got {name}; exit 3' {name}; echo ready; while true; do sleep 0.05; done"]);
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        Runf.Signal(p.Id, signal);
        Assert.True(p.WaitForExit(10_000), "the container did not stop");
        Assert.Equal($"got {name}", p.StandardOutput.ReadLine());
        Assert.Equal(3, p.ExitCode);
    }

    [Fact]
    public void Forwards_signals_after_runf_has_set_up_its_console()
    {
        // The timing report sets up .NET's console, and with it .NET's own signal handlers, after
        // runf's relay is in place: signals must still reach the container, the second Ctrl-C too.
        using var p = Runf.Start(env, ["--debug-timing", "sh", "-c", "trap 'echo got INT' INT; echo ready; while true; do sleep 0.05; done"]);
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        Runf.Signal(p.Id, 2);
        Assert.Equal("got INT", p.StandardOutput.ReadLine());
        Runf.Signal(p.Id, 2);
        Assert.True(p.WaitForExit(5_000), "the second SIGINT did not kill the container");
        Assert.Equal(137, p.ExitCode);
        Assert.Contains("total from runf's start to exec", p.StandardError.ReadToEnd());
    }

    [Fact]
    public void A_second_ctrl_c_kills_a_container_that_ignores_the_first()
    {
        using var p = Runf.Start(env, ["sh", "-c", "trap 'echo got INT' INT; echo ready; while true; do sleep 0.05; done"]);
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        Runf.Signal(p.Id, 2);
        Assert.Equal("got INT", p.StandardOutput.ReadLine());
        Assert.False(p.HasExited);
        Runf.Signal(p.Id, 2);
        Assert.True(p.WaitForExit(5_000), "the second SIGINT did not kill the container");
        Assert.Equal(137, p.ExitCode);
    }

    [Fact]
    public void Killing_runf_kills_the_container()
    {
        using var p = Runf.Start(env, ["sh", "-c", "sleep 1000 & echo ready; wait"]);
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        var init = Assert.Single(Runf.ChildrenOf(p.Id));
        var sleeper = Assert.Single(Runf.ChildrenOf(init));
        Runf.Signal(p.Id, 9);
        p.WaitForExit();
        var deadline = Stopwatch.StartNew();
        while ((IsAlive(init) || IsAlive(sleeper)) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(20);
        }
        Assert.False(IsAlive(init), "the container's init survived runf");
        Assert.False(IsAlive(sleeper), "a container process survived runf");
    }

    private static bool IsAlive(int pid) => Runf.StateOf(pid) is { } state && state != 'Z' && state != 'X';

    [Fact]
    public void Twenty_concurrent_runs_all_succeed_with_distinct_names()
    {
        // Dedicated threads: twenty blocking waits would starve the thread pool that reads their output.
        var results = new RunResult[20];
        var threads = Enumerable.Range(0, 20).Select(i => new Thread(() => results[i] = Runf.Run(env, "hostname"))).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        Assert.Equal(20, results.Select(r => r.Stdout).Distinct().Count());
        // Each run removed its state file (other runs of the same user may be under way).
        Assert.All(results, r => Assert.False(File.Exists(Path.Combine(StateDir, r.Stdout.Trim() + ".json"))));
    }

    private static string StateDir => $"/tmp/runf-{(TestEnvironment.IsRoot ? TestEnvironment.TestUid : uint.Parse(Shell.Run("id", "-u").Trim()))}";

    [Fact]
    public async Task Reaches_a_service_on_the_executors_loopback()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            using var stream = client.GetStream();
            var buffer = new byte[1024];
            _ = await stream.ReadAsync(buffer);
            await stream.WriteAsync("HTTP/1.0 200 OK\r\nContent-Length: 13\r\n\r\nfrom the host"u8.ToArray());
        });
        var r = Runf.Run(env, "timeout", "10", "wget", "-qO-", $"http://127.0.0.1:{port}/");
        Assert.Equal("from the host", r.Stdout);
        await server.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
