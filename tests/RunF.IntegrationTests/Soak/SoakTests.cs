using System.Diagnostics;
using RunF.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace RunF.IntegrationTests.Soak;

/// <summary>Alone: the leak checks count every state file of the test user.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoakCollection
{
    public const string Name = "soak";
}

/// <summary>
/// 1,000 containers, 16 at a time, mixing every way a run ends; then nothing may be left
/// behind.
/// </summary>
[Collection(SoakCollection.Name)]
public sealed class SoakTests(ITestOutputHelper output) : IDisposable
{
    private const int Runs = 1000;
    private const int Parallel = 16;
    private readonly TestEnvironment env = new();

    /// <summary>One way a run ends: the command, what the harness does to it, the exit code runf must give.</summary>
    private sealed record Scenario(string Name, string[] Command, Action<Process>? Act, int Expected);

    private static readonly Scenario[] Scenarios =
    [
        new("success", ["true"], null, 0),
        new("exit code", ["sh", "-c", "exit 7"], null, 7),
        new("not found", ["no-such-command"], null, 127),
        new("SIGTERM forwarded", ["sh", "-c", "trap 'exit 3' TERM; echo ready; while :; do sleep 0.05; done"], p => Runf.Signal(p.Id, 15), 3),
        new("init SIGKILLed", ["sh", "-c", "echo ready; exec sleep 1000"], p => Runf.Signal(Assert.Single(Runf.ChildrenOf(p.Id)), 9), 137),
        new("runf SIGKILLed", ["sh", "-c", "echo ready; exec sleep 1000"], p => Runf.Signal(p.Id, 9), 137),
        new("timeout", ["--timeout", "200ms", "--stop-timeout", "100ms", "sleep", "1000"], null, 124),
    ];

    [Fact]
    public void A_thousand_runs_end_as_expected_and_leave_nothing_behind()
    {
        RunBatch(Scenarios.Length * 4); // warm-up: fds the runtime opens once (pipes, epoll) are not leaks
        var fdsBefore = OpenFds();
        var mountsBefore = File.ReadAllLines("/proc/self/mountinfo").Length;
        var tmpBefore = TestUserTmpEntries();

        var clock = Stopwatch.StartNew();
        var failures = RunBatch(Runs);
        clock.Stop();

        var rate = Runs / clock.Elapsed.TotalSeconds;
        output.WriteLine($"soak: {Runs} runs, {Parallel} at a time, in {clock.Elapsed.TotalSeconds:F1} s: {rate:F1} runs/s");
        Assert.True(failures.IsEmpty, string.Join('\n', failures.Take(20)));

        // A SIGKILLed runf's container dies by its parent-death signal, asynchronously.
        var leaked = WaitFor(() => LeakedProcesses(), TimeSpan.FromSeconds(10));
        Assert.True(leaked.Count == 0, "leaked processes: " + string.Join(", ", leaked));
        Assert.Equal(mountsBefore, File.ReadAllLines("/proc/self/mountinfo").Length);
        // A SIGKILLed runf cannot remove its state file: the next run sweeps it (README), once
        // it is older than the two seconds a starting runf may need to lock it.
        Thread.Sleep(2500);
        Assert.Equal(0, Runf.Run(env, "true").ExitCode);
        Assert.Empty(Directory.Exists(StateDir) ? Directory.GetFiles(StateDir) : []);
        Assert.Equal(tmpBefore, TestUserTmpEntries());
        Assert.Equal(fdsBefore, OpenFds());
    }

    /// <summary>Runs count containers on Parallel dedicated threads; the failures, one line each.</summary>
    private System.Collections.Concurrent.ConcurrentQueue<string> RunBatch(int count)
    {
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var next = -1;
        var threads = Enumerable.Range(0, Parallel).Select(_ => new Thread(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var scenario = Scenarios[i % Scenarios.Length];
                try
                {
                    var (code, stderr) = RunOne(scenario);
                    if (code != scenario.Expected)
                    {
                        failures.Enqueue($"run {i} ({scenario.Name}): exit {code}, expected {scenario.Expected}: {stderr.Trim()}");
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue($"run {i} ({scenario.Name}): {e.GetType().Name}: {e.Message}");
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return failures;
    }

    private (int Code, string Stderr) RunOne(Scenario scenario)
    {
        using var p = Runf.Start(env, scenario.Command);
        p.StandardInput.Close(); // no scenario reads stdin
        var stderr = p.StandardError.ReadToEndAsync();
        if (scenario.Act is { } act)
        {
            var ready = p.StandardOutput.ReadLine();
            if (ready != "ready")
            {
                // stderr is complete only once runf has exited: read it only when it has.
                Assert.Fail($"expected ready, got {ready ?? "end of output"}: {stderr.Result}");
            }
            act(p);
        }
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("runf did not finish in 30 s");
        }
        return (p.ExitCode, stderr.Result);
    }

    private static string StateDir => $"/tmp/runf-{TestEnvironment.TestUid}";

    /// <summary>What each open descriptor of this process points to (pipe:[N] and socket:[N] by kind), sorted.</summary>
    private static List<string> OpenFds()
    {
        // Streams of finished Process objects close when collected; count only what is still held.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return OpenFdTargets();
    }

    private static List<string> OpenFdTargets() =>
        [.. Directory.GetFiles("/proc/self/fd").Select(fd => new FileInfo(fd).LinkTarget ?? "?")
            .Select(target => System.Text.RegularExpressions.Regex.Replace(target, @"\[\d+\]$", "")).Order(StringComparer.Ordinal)];

    /// <summary>Entries in /tmp owned by the test user, other than its runf state directory.</summary>
    private static string TestUserTmpEntries() =>
        string.Join('\n', Shell.Run("find", "/tmp", "-mindepth", "1", "-maxdepth", "1", "-uid", $"{TestEnvironment.TestUid}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(e => e != StateDir)
            .Order(StringComparer.Ordinal));

    /// <summary>runf processes of this environment's binary and container processes in its rootfs.</summary>
    private List<string> LeakedProcesses()
    {
        var leaked = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
        {
            try
            {
                var exe = new FileInfo(Path.Combine(dir, "exe")).LinkTarget;
                var root = new DirectoryInfo(Path.Combine(dir, "root")).LinkTarget;
                if (exe == env.Runf || root == env.Rootfs)
                {
                    leaked.Add($"{Path.GetFileName(dir)} ({exe})");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // gone, or a kernel thread
            }
        }
        return leaked;
    }

    private static List<string> WaitFor(Func<List<string>> probe, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        List<string> found;
        while ((found = probe()).Count > 0 && clock.Elapsed < limit)
        {
            Thread.Sleep(50);
        }
        return found;
    }

    public void Dispose() => env.Dispose();
}
