using System.Text.Json;
using System.Text.Json.Nodes;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Oci;

/// <summary>
/// runf as an OCI runtime, driven as an engine drives runc: a bundle, create, state, start, kill,
/// delete, run; as root with no user namespace in the config, and rootless (uid 40000) with one.
/// </summary>
[Collection(RunfCollection.Name)]
public class OciRuntimeTests(TestEnvironment env)
{
    private static string ReadCmdline(string procDir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procDir, "cmdline"));
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static JsonElement State(OciBundle bundle, TestEnvironment env, string id)
    {
        var r = bundle.Runf(env, "state", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    [Fact]
    public void Create_leaves_the_container_set_up_and_waiting_before_its_exec_until_start()
    {
        Assert.True(TestEnvironment.IsRoot, "runs the bundle as root without a user namespace");
        var bundle = new OciBundle(env, rootless: false, "sh", "-c", "echo $(hostname) $(id -u) > /mnt/ran; touch /rootfs-is-writable 2>/dev/null || echo ro > /mnt/ro; exec sleep 60");
        var created = bundle.Runf(env, "create", "--bundle", bundle.Dir, "--pid-file", bundle.OutFile("pid"), "c1");
        Assert.True(created.ExitCode == 0, created.ToString());
        var state = State(bundle, env, "c1");
        Assert.Equal("created", state.GetProperty("status").GetString());
        var pid = state.GetProperty("pid").GetInt32();
        Assert.Equal(pid.ToString(), File.ReadAllText(bundle.OutFile("pid")));
        // runf create has exited and the container lives on, not yet executed: it still runs runf's image.
        Assert.NotNull(Runf.StateOf(pid));
        Assert.False(File.Exists(bundle.OutFile("ran")));
        Assert.DoesNotContain("sleep", File.ReadAllText($"/proc/{pid}/cmdline"));
        Assert.Equal(bundle.Dir, state.GetProperty("bundle").GetString());

        var started = bundle.Runf(env, "start", "c1");
        Assert.True(started.ExitCode == 0, started.ToString());
        Assert.Equal("oci-test 0\n", bundle.WaitFor("ran"));
        Assert.Equal("ro\n", bundle.WaitFor("ro"));
        Assert.Equal("running", State(bundle, env, "c1").GetProperty("status").GetString());
        Assert.Contains("sleep", File.ReadAllText($"/proc/{pid}/cmdline"));

        var refused = bundle.Runf(env, "delete", "c1");
        Assert.Equal(125, refused.ExitCode);
        Assert.Equal("runf: container c1 is running: kill it first, or runf delete --force c1\n", refused.Stderr);
        Assert.Equal(0, bundle.Runf(env, "kill", "c1", "KILL").ExitCode);
        for (var i = 0; i < 200 && Runf.StateOf(pid) is not (null or 'Z'); i++)
        {
            Thread.Sleep(10);
        }
        var stopped = State(bundle, env, "c1");
        Assert.Equal(("stopped", 0), (stopped.GetProperty("status").GetString(), stopped.GetProperty("pid").GetInt32()));
        Assert.Equal(0, bundle.Runf(env, "delete", "c1").ExitCode);
        Assert.False(Directory.Exists(Path.Combine(bundle.Root, "c1")));
        var gone = bundle.Runf(env, "state", "c1");
        Assert.Equal((125, $"runf: container c1 does not exist in {bundle.Root}\n"), (gone.ExitCode, gone.Stderr));
    }

    [Fact]
    public void Rootless_run_maps_the_callers_uid_to_root_and_exits_with_the_process_status()
    {
        var bundle = new OciBundle(env, rootless: true, "sh", "-c", "id -u; cat /proc/self/uid_map; cat /proc/keys | wc -c; echo x > /proc/sysrq-trigger 2>/dev/null || echo sysrq-ro; exit 7");
        try
        {
            var r = bundle.Runf(env, "run", "--bundle", bundle.Dir, "r1");
            Assert.True(r.ExitCode == 7, r.ToString());
            var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("0", lines[0]);
            Assert.Equal(["0", "40000", "1"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal("0", lines[2].Trim()); // masked
            Assert.Equal("sysrq-ro", lines[3]);
            Assert.False(Directory.Exists(Path.Combine(bundle.Root, "r1"))); // run deletes what it created
        }
        finally
        {
            Shell.Run("rm", "-rf", bundle.Root);
        }
    }

    [Fact]
    public void Rootless_create_start_and_delete_force_of_a_running_container()
    {
        var bundle = new OciBundle(env, rootless: true, "sh", "-c", "echo up > /mnt/up; exec sleep 60");
        try
        {
            var created = bundle.Runf(env, "create", "--bundle", bundle.Dir, "r2");
            Assert.True(created.ExitCode == 0, created.ToString());
            var pid = State(bundle, env, "r2").GetProperty("pid").GetInt32();
            Assert.Equal(0, bundle.Runf(env, "start", "r2").ExitCode);
            Assert.Equal("up\n", bundle.WaitFor("up"));
            var ps = bundle.Runf(env, "ps", "--format", "json", "r2");
            Assert.Equal($"[{pid}]", ps.Stdout.Trim());
            Assert.Equal(0, bundle.Runf(env, "delete", "--force", "r2").ExitCode);
            Assert.True(Runf.StateOf(pid) is null or 'Z', "delete --force left the container running");
        }
        finally
        {
            Shell.Run("rm", "-rf", bundle.Root);
        }
    }

    [Fact]
    public void A_created_container_killed_before_start_is_stopped_and_cannot_start()
    {
        var bundle = new OciBundle(env, rootless: true, "true");
        try
        {
            Assert.Equal(0, bundle.Runf(env, "create", "--bundle", bundle.Dir, "k1").ExitCode);
            var pid = State(bundle, env, "k1").GetProperty("pid").GetInt32();
            Assert.Equal(0, bundle.Runf(env, "kill", "k1", "9").ExitCode);
            for (var i = 0; i < 200 && Runf.StateOf(pid) is not (null or 'Z'); i++)
            {
                Thread.Sleep(10);
            }
            var start = bundle.Runf(env, "start", "k1");
            Assert.Equal((125, "runf: container k1 is stopped, not created: only a created container can be started\n"), (start.ExitCode, start.Stderr));
            Assert.Equal(0, bundle.Runf(env, "delete", "k1").ExitCode);
        }
        finally
        {
            Shell.Run("rm", "-rf", bundle.Root);
        }
    }

    [Fact]
    public void A_field_runf_cannot_honour_fails_create_naming_it_in_stderr_and_the_json_log()
    {
        var bundle = new OciBundle(env, rootless: false, "true");
        bundle.Config["linux"]!["intelRdt"] = JsonNode.Parse("""{"closID": "x"}""");
        bundle.Save();
        var log = bundle.OutFile("log.json");
        var r = bundle.RunfWith(env, ["--log", log, "--log-format", "json"], "create", "--bundle", bundle.Dir, "u1");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("linux.intelRdt is not supported by runf", r.Stderr);
        var line = JsonDocument.Parse(File.ReadAllLines(log).Single()).RootElement;
        Assert.Equal("error", line.GetProperty("level").GetString());
        Assert.Contains("linux.intelRdt is not supported by runf", line.GetProperty("msg").GetString());
        Assert.False(Directory.Exists(Path.Combine(bundle.Root, "u1")));
        var systemd = bundle.RunfWith(env, ["--systemd-cgroup"], "create", "--bundle", bundle.Dir, "u2");
        Assert.Equal(125, systemd.ExitCode);
        Assert.StartsWith("runf: --systemd-cgroup is not supported by runf", systemd.Stderr);
    }

    [Fact]
    public void Hooks_run_at_their_stage_with_the_state_on_stdin()
    {
        var bundle = new OciBundle(env, rootless: false, "true");
        JsonNode Hook(string stage) => JsonNode.Parse($$"""[{"path": "/bin/sh", "args": ["sh", "-c", "cat > {{bundle.OutFile(stage)}}.json"], "timeout": 10}]""")!;
        bundle.Config["hooks"] = new JsonObject { ["prestart"] = Hook("prestart"), ["poststart"] = Hook("poststart"), ["poststop"] = Hook("poststop") };
        bundle.Config["annotations"] = new JsonObject { ["org.example.k"] = "v" };
        bundle.Save();
        Assert.Equal(0, bundle.Runf(env, "create", "--bundle", bundle.Dir, "h1").ExitCode);
        var prestart = JsonDocument.Parse(File.ReadAllText(bundle.OutFile("prestart.json"))).RootElement;
        Assert.Equal(("h1", "created", "v"), (prestart.GetProperty("id").GetString(), prestart.GetProperty("status").GetString(), prestart.GetProperty("annotations").GetProperty("org.example.k").GetString()));
        Assert.False(File.Exists(bundle.OutFile("poststart.json")));
        Assert.Equal(0, bundle.Runf(env, "start", "h1").ExitCode);
        Assert.Equal("running", JsonDocument.Parse(File.ReadAllText(bundle.OutFile("poststart.json"))).RootElement.GetProperty("status").GetString());
        Assert.False(File.Exists(bundle.OutFile("poststop.json")));
        Thread.Sleep(200);
        Assert.Equal(0, bundle.Runf(env, "delete", "--force", "h1").ExitCode);
        Assert.Equal("stopped", JsonDocument.Parse(File.ReadAllText(bundle.OutFile("poststop.json"))).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void A_failing_prestart_hook_fails_create_and_leaves_nothing()
    {
        var bundle = new OciBundle(env, rootless: false, "sleep", "60");
        bundle.Config["hooks"] = JsonNode.Parse("""{"prestart": [{"path": "/bin/false"}]}""");
        bundle.Save();
        var r = bundle.Runf(env, "create", "--bundle", bundle.Dir, "h2");
        Assert.Equal((125, "runf: hooks.prestart[0] /bin/false: exited with status 1\n"), (r.ExitCode, r.Stderr));
        Assert.False(Directory.Exists(Path.Combine(bundle.Root, "h2")));
        // The held child (still showing runf create's command line until its exec) was killed.
        Thread.Sleep(100);
        Assert.DoesNotContain(Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)),
            d => Runf.StateOf(int.Parse(Path.GetFileName(d))) is not (null or 'Z') && ReadCmdline(d).Contains(bundle.Root));
    }

    [Fact]
    public void A_mount_destination_through_a_rootfs_symlink_stays_beneath_the_root()
    {
        // CVE-2021-30465's shape: a rootfs symlink pointing at a host path, and a mount below it.
        var host = env.NewDir("host-target");
        var bundle = new OciBundle(env, rootless: false, "sh", "-c", "ls -d /escape/sub > /mnt/inside");
        var rootfs = env.CopyRootfs("symlinked");
        File.CreateSymbolicLink(Path.Combine(rootfs, "escape"), host);
        bundle.Config["root"]!["path"] = rootfs;
        bundle.Config["mounts"]!.AsArray().Add(JsonNode.Parse("""{"destination": "/escape/sub", "type": "tmpfs", "source": "tmpfs"}"""));
        bundle.Save();
        var r = bundle.Runf(env, "run", "--bundle", bundle.Dir, "s1");
        // The symlink is followed beneath the root, where its target does not exist: the create fails, naming it.
        Assert.Equal(125, r.ExitCode);
        Assert.StartsWith("runf: create mount point /escape/sub: its parent is missing in rootfs", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(host, "sub")), "the mount point was made on the host, through the symlink");
        Assert.Empty(Directory.EnumerateFileSystemEntries(host));
    }

    [Fact]
    public void Cgroups_path_and_resources_limit_the_container_as_root()
    {
        Assert.True(TestEnvironment.IsRoot, "creates host cgroups");
        var bundle = new OciBundle(env, rootless: false, "sh", "-c", "cat /proc/self/cgroup > /mnt/cgroup");
        var path = $"/oci-cgroup-test/c-{Guid.NewGuid():N}";
        bundle.Config["linux"]!["cgroupsPath"] = path;
        bundle.Config["linux"]!["resources"] = JsonNode.Parse("""{"memory": {"limit": 67108864}, "pids": {"limit": 50}}""");
        bundle.Save();
        var created = bundle.Runf(env, "create", "--bundle", bundle.Dir, "g1");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal("67108864", File.ReadAllText($"/sys/fs/cgroup/memory{path}/memory.limit_in_bytes").Trim());
        Assert.Equal("50", File.ReadAllText($"/sys/fs/cgroup/pids{path}/pids.max").Trim());
        Assert.Equal(0, bundle.Runf(env, "start", "g1").ExitCode);
        Assert.Contains($"memory:{path}", bundle.WaitFor("cgroup"));
        Thread.Sleep(200);
        Assert.Equal(0, bundle.Runf(env, "delete", "--force", "g1").ExitCode);
        Assert.False(Directory.Exists($"/sys/fs/cgroup/memory{path}"));
        Shell.Run("/bin/sh", "-c", "rmdir /sys/fs/cgroup/*/oci-cgroup-test 2>/dev/null || true");
    }
}
