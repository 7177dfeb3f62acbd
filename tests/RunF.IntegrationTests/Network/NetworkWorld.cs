using System.Diagnostics;
using System.Text;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Network;

/// <summary>
/// The executor-on-a-Docker-network world (tests/harness/world.sh): a service network namespace
/// with nginx and a TCP echo, an executor namespace with dnsmasq on 127.0.0.11 and its own
/// resolv.conf, a veth pair between them. One world per test class run, with a unique id, always
/// torn down. Needs root for the namespaces: as any other user the constructor fails, and with it
/// every test that uses the world, saying why.
/// </summary>
public sealed class NetworkWorld : IDisposable
{
    public TestEnvironment Env { get; } = new();
    public string Id { get; }
    public string Executor { get; }
    public string ServiceIp { get; }
    public string Page { get; }

    private static string Script => Path.Combine(AppContext.BaseDirectory, "harness", "world.sh");

    public NetworkWorld()
    {
        if (!TestEnvironment.IsRoot)
        {
            Env.Dispose();
            throw new InvalidOperationException("the network world needs root (network namespaces, veth): run the tests as root, as CI does");
        }
        Id = Guid.NewGuid().ToString("N")[..8];
        string facts;
        try
        {
            facts = Shell.Run(Script, "up", Id);
        }
        catch
        {
            Shell.Run(Script, "down", Id);
            Env.Dispose();
            throw;
        }
        var map = facts.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Executor = map["executor"];
        ServiceIp = map["service_ip"];
        Page = map["page"];
    }

    /// <summary>runf as the unprivileged user inside the executor namespace; the caller owns the process.</summary>
    public Process StartRunf(params string[] args)
    {
        var psi = new ProcessStartInfo("ip")
        {
            WorkingDirectory = Env.Dir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        // ip netns exec binds /etc/netns/<executor>/resolv.conf over /etc/resolv.conf in a mount
        // namespace of its own, then execs setpriv, which execs runf: the pid is runf's.
        foreach (var a in (string[])["netns", "exec", Executor, "setpriv", $"--reuid={TestEnvironment.TestUid}", $"--regid={TestEnvironment.TestUid}", "--clear-groups", "--", Env.Runf, .. args])
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment.Remove("XDG_RUNTIME_DIR");
        return Process.Start(psi)!;
    }

    public RunResult Runf(params string[] args)
    {
        using var p = StartRunf(args);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"runf {string.Join(' ', args)} in {Executor} did not finish in 30 s");
        }
        return new RunResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A host command (as root) inside the executor namespace.</summary>
    public string InExecutor(params string[] command) => Shell.Run("ip", ["netns", "exec", Executor, .. command]);

    public void Dispose()
    {
        try
        {
            Shell.Run(Script, "down", Id);
        }
        finally
        {
            Env.Dispose();
        }
    }
}

/// <summary>Not in parallel with other collections, for the same reason as the attack suite.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NetworkCollection : ICollectionFixture<NetworkWorld>
{
    public const string Name = "network";
}
