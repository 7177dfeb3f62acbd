using System.Collections.Concurrent;
using System.Text;
using RunF.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace RunF.IntegrationTests.Attacks;

/// <summary>
/// The test environment plus a rootfs holding probe (probe.c, built statically with the
/// system C compiler), which makes one attack per run and prints the errno it got. Collects
/// every attack's outcome and, when the suite ends, prints the table of attacks tried and
/// blocked (an xunit diagnostic message, and attack-table.txt beside the test assembly).
/// </summary>
public sealed class AttackEnvironment : IDisposable
{
    private readonly IMessageSink sink;
    private readonly ConcurrentQueue<(string Defence, string Attack, string Outcome, bool Blocked)> rows = new();

    public TestEnvironment Env { get; } = new();

    /// <summary>The busybox rootfs with /bin/probe added.</summary>
    public string Rootfs { get; }

    /// <summary>The statically linked probe, for tests that build rootfs variants.</summary>
    public string ProbeBinary { get; }

    public AttackEnvironment(IMessageSink sink)
    {
        this.sink = sink;
        ProbeBinary = Path.Combine(Env.Dir, "probe");
        var source = Path.Combine(AppContext.BaseDirectory, "Attacks", "probe.c");
        Shell.Run("cc", "-static", "-O1", "-Wall", "-Werror", "-o", ProbeBinary, source);
        Rootfs = WithProbe("attack-rootfs");
    }

    /// <summary>A copy of the busybox rootfs with /bin/probe.</summary>
    public string WithProbe(string name)
    {
        var rootfs = Env.CopyRootfs(name);
        Shell.Run("install", "-m", "0755", ProbeBinary, Path.Combine(rootfs, "bin", "probe"));
        return rootfs;
    }

    /// <summary>Runs probe ACTION ARGS in a container on the probe rootfs; its one-line report.</summary>
    public string Probe(params string[] args) => RunIn(Rootfs, ["probe", .. args]);

    /// <summary>The same without the seccomp filter: to show the defence beneath it holds on its own.</summary>
    public string ProbeUnconfined(params string[] args) => RunIn(Rootfs, ["--seccomp", "unconfined", "--", "probe", .. args]);

    /// <summary>Runs a probe-like command (exit 0 or 1, one report on stdout) in a container on rootfs.</summary>
    public string RunIn(string rootfs, params string[] command)
    {
        var r = Runf.Run(Env, ["--rootfs", rootfs, .. (command[0].StartsWith('-') ? command : ["--", .. command])]);
        Assert.True(r.ExitCode is 0 or 1, r.ToString());
        return r.Stdout.Trim();
    }

    /// <summary>Records an attack and its outcome; the caller asserts it was blocked.</summary>
    public void Record(ITestOutputHelper output, string defence, string attack, string outcome, bool blocked)
    {
        rows.Enqueue((defence, attack, outcome, blocked));
        output.WriteLine($"{(blocked ? "blocked" : "NOT BLOCKED")}: {attack} -> {outcome}");
    }

    public string Table()
    {
        var ordered = rows.OrderBy(r => r.Defence, StringComparer.Ordinal).ThenBy(r => r.Attack, StringComparer.Ordinal).ToList();
        if (ordered.Count == 0)
        {
            return "";
        }
        var w1 = Math.Max("defence".Length, ordered.Max(r => r.Defence.Length));
        var w2 = Math.Max("attack".Length, ordered.Max(r => r.Attack.Length));
        var w3 = Math.Max("outcome".Length, ordered.Max(r => r.Outcome.Length));
        var text = new StringBuilder();
        text.AppendLine($"attacks tried: {ordered.Count}, blocked: {ordered.Count(r => r.Blocked)}");
        text.AppendLine($"{"defence".PadRight(w1)} | {"attack".PadRight(w2)} | {"outcome".PadRight(w3)} | blocked");
        text.AppendLine($"{new string('-', w1)}-+-{new string('-', w2)}-+-{new string('-', w3)}-+--------");
        foreach (var r in ordered)
        {
            text.AppendLine($"{r.Defence.PadRight(w1)} | {r.Attack.PadRight(w2)} | {r.Outcome.PadRight(w3)} | {(r.Blocked ? "yes" : "NO")}");
        }
        return text.ToString();
    }

    public void Dispose()
    {
        var table = Table();
        if (table.Length > 0)
        {
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "attack-table.txt"), table);
            sink.OnMessage(new DiagnosticMessage("attack suite\n" + table));
        }
        Env.Dispose();
    }
}

/// <summary>
/// Not in parallel with other collections: tests elsewhere (and the soak test) assert that no
/// state files are left, which containers running here would break.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AttackCollection : ICollectionFixture<AttackEnvironment>
{
    public const string Name = "attacks";
}

/// <summary>
/// Base of the attack classes: each attack names its defence, runs, records its outcome in the
/// suite's table and asserts the exact outcome that proves it was blocked.
/// </summary>
public abstract class AttackTests(AttackEnvironment world, ITestOutputHelper output, string defence)
{
    protected AttackEnvironment World { get; } = world;

    protected TestEnvironment Env => World.Env;

    /// <summary>Runs probe ARGS and asserts its report is expected (an errno name, "ok 0"...).</summary>
    protected void Blocked(string attack, string expected, params string[] probeArgs) =>
        Outcome(attack, World.Probe(probeArgs), expected);

    /// <summary>Records an outcome observed some other way and asserts it equals expected.</summary>
    protected void Outcome(string attack, string actual, string expected)
    {
        World.Record(output, defence, attack, actual, actual == expected);
        Assert.True(actual == expected, $"{defence}: {attack}: expected {expected}, got {actual}");
    }

    /// <summary>Records an outcome that a predicate judges.</summary>
    protected void Outcome(string attack, string actual, bool blocked, string why)
    {
        World.Record(output, defence, attack, actual, blocked);
        Assert.True(blocked, $"{defence}: {attack}: {why}, got {actual}");
    }
}
