using System.Diagnostics;
using System.Text.Json.Nodes;

namespace RunF.IntegrationTests.Infrastructure;

/// <summary>
/// An OCI bundle for the OCI tests: config.json (runc spec's, terminal off) over the test rootfs,
/// with a writable host directory bound at /mnt, and a --root of its own. Rootless: a user
/// namespace mapping the test user's uid and gid to root, as `runc spec --rootless`.
/// </summary>
public sealed class OciBundle
{
    public string Dir { get; }
    public string Root { get; }
    public string Out { get; }
    public JsonObject Config { get; }
    public bool Rootless { get; }

    public OciBundle(TestEnvironment env, bool rootless, params string[] args)
    {
        Rootless = rootless;
        Dir = env.NewDir("bundle");
        Out = Path.Combine(Dir, "out");
        Directory.CreateDirectory(Out);
        File.SetUnixFileMode(Out, (UnixFileMode)0x1ff); // 0777: the container's root may be the test user
        Root = rootless ? $"/tmp/runf-oci-test-{Guid.NewGuid():N}" : Path.Combine(Dir, "state");
        Config = JsonNode.Parse(Template)!.AsObject();
        Config["root"]!["path"] = env.Rootfs;
        Config["process"]!["args"] = new JsonArray([.. args.Select(a => JsonValue.Create(a))]);
        Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/mnt", ["type"] = "bind", ["source"] = Out, ["options"] = new JsonArray("rbind", "rw") });
        if (rootless)
        {
            Config["linux"]!["namespaces"]!.AsArray().Add(new JsonObject { ["type"] = "user" });
            Config["linux"]!["uidMappings"] = JsonNode.Parse($$"""[{"containerID": 0, "hostID": {{TestEnvironment.TestUid}}, "size": 1}]""");
            Config["linux"]!["gidMappings"] = JsonNode.Parse($$"""[{"containerID": 0, "hostID": {{TestEnvironment.TestUid}}, "size": 1}]""");
        }
        Save();
    }

    public void Save() => File.WriteAllText(Path.Combine(Dir, "config.json"), Config.ToJsonString());

    /// <summary>
    /// runf --root ROOT args, as the test user when rootless (root otherwise), with stdout and stderr
    /// in files: a created container keeps runf's descriptors, so pipes would not end with runf.
    /// </summary>
    public RunResult Runf(TestEnvironment env, params string[] args) => RunfWith(env, [], args);

    public RunResult RunfWith(TestEnvironment env, string[] globals, params string[] args)
    {
        var stdout = Path.Combine(Out, $"runf-{Guid.NewGuid():N}.out");
        var stderr = stdout[..^4] + ".err";
        string[] argv = [env.Runf, "--root", Root, .. globals, .. args];
        var script = "exec \"$@\" >" + stdout + " 2>" + stderr + " </dev/null";
        var psi = Rootless ? Infrastructure.Runf.Unprivileged("/bin/sh", ["-c", script, "sh", .. argv]) : new ProcessStartInfo("/bin/sh", ["-c", script, "sh", .. argv]);
        psi.WorkingDirectory = Dir;
        using var p = Process.Start(psi)!;
        if (!p.WaitForExit(30_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"runf {string.Join(' ', args)} did not finish in 30 s");
        }
        return new RunResult(p.ExitCode, File.ReadAllText(stdout), File.ReadAllText(stderr));
    }

    public string OutFile(string name) => Path.Combine(Out, name);

    /// <summary>Waits up to 10 s for a file the container writes.</summary>
    public string WaitFor(string name)
    {
        var path = OutFile(name);
        for (var i = 0; i < 1000 && !File.Exists(path); i++)
        {
            Thread.Sleep(10);
        }
        Thread.Sleep(50);
        return File.ReadAllText(path);
    }

    private const string Template = """
        {
          "ociVersion": "1.2.0",
          "process": {
            "terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh"],
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "cwd": "/",
            "capabilities": {
              "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
              "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
              "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
            },
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": true
          },
          "root": {"path": "rootfs", "readonly": true},
          "hostname": "oci-test",
          "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
          ],
          "linux": {
            "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
            "maskedPaths": ["/proc/keys", "/proc/timer_list", "/sys/firmware"],
            "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger"]
          }
        }
        """;
}
