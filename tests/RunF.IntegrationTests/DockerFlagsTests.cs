using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>The docker run flags users reach for: --name, --entrypoint, -i, and a hint for those with another meaning here.</summary>
[Collection(RunfCollection.Name)]
public class DockerFlagsTests(TestEnvironment env)
{
    [Fact]
    public void Name_is_the_id_for_ps_and_kill_and_the_default_hostname()
    {
        var name = $"fn-{Guid.NewGuid():N}"[..20];
        using var p = Runf.Start(env, ["--name", name, "sh", "-c", "hostname; exec sleep 100"]);
        Assert.Equal(name, p.StandardOutput.ReadLine());
        Assert.Contains(name, Runf.Run(env, "ps").Stdout);
        // A name in use is refused while its container runs.
        var twice = Runf.Run(env, "--name", name, "true");
        Assert.Equal(125, twice.ExitCode);
        Assert.Contains($"container name \"{name}\" is in use by a running container (runf ps)", twice.Stderr);
        Assert.Equal(0, Runf.Run(env, "kill", name, "KILL").ExitCode);
        Assert.True(p.WaitForExit(5_000));
        // --hostname still sets the hostname alone.
        Assert.Equal("other\n", Runf.Run(env, "--name", name, "--hostname", "other", "hostname").Stdout);
    }

    [Theory]
    [InlineData("-x")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void A_name_docker_would_refuse_is_refused(string name)
    {
        var r = Runf.Run(env, "--name", name, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains($"invalid --name \"{name}\"", r.Stderr);
    }

    [Fact]
    public void Entrypoint_replaces_the_images_entrypoint_and_cmd()
    {
        var rootfs = env.CopyRootfs("entrypoint-image");
        File.WriteAllText(rootfs + ".image.json", """
            {"Env": [], "Entrypoint": ["/bin/echo", "from-image"], "Cmd": ["default"], "WorkingDir": null, "User": null, "ExposedPorts": [], "Labels": {}}
            """);
        Assert.Equal("from-image default\n", Runf.Run(env, "--rootfs", rootfs).Stdout);
        // Without --entrypoint an image with one cannot give a shell; with it, it can.
        Assert.Equal("from-image sh -c echo hi\n", Runf.Run(env, "--rootfs", rootfs, "sh", "-c", "echo hi").Stdout);
        // The command's own options after --, as for any command whose first word looks like an option.
        Assert.Equal("hi\n", Runf.Run(env, "--rootfs", rootfs, "--entrypoint", "sh", "--", "-c", "echo hi").Stdout);
        Assert.Equal("plain\n", Runf.Run(env, "--rootfs", rootfs, "--entrypoint", "", "echo", "plain").Stdout);
    }

    [Fact]
    public void Interactive_is_accepted_and_stdin_passed() =>
        Assert.Equal("in", Runf.Run(env, ["-i", "cat"], stdin: "in").Stdout);

    [Theory]
    [InlineData("-v", "/tmp:/tmp", "-v /tmp:/tmp: runf's -v is --verbose; docker's -v is runf's --bind /tmp:/tmp")]
    [InlineData("--volume", "/tmp:/tmp", "unknown option --volume: docker's --volume is runf's --bind SRC:DST[:ro|rw]")]
    [InlineData("--rm", null, "unknown option --rm: runf leaves nothing behind: every run is --rm already; drop it")]
    [InlineData("-d", null, "unknown option -d: runf runs in the foreground")]
    [InlineData("--network", "host", "unknown option --network: a function container shares the executor's network")]
    [InlineData("-p", "8080:8080", "unknown option -p: nothing to publish")]
    [InlineData("--privileged", null, "unknown option --privileged: runf has no privileged mode")]
    [InlineData("--security-opt", "seccomp=profile.json", "unsupported --security-opt \"seccomp=profile.json\": runf takes the profile as --seccomp profile.json")]
    public void Docker_habits_with_another_meaning_here_get_a_hint(string option, string? value, string hint)
    {
        var r = Runf.Run(env, value is null ? [option, "true"] : [option, value, "true"]);
        Assert.Equal(125, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.StartsWith($"runf: {hint}", r.Stderr.Trim());
    }

    [Theory]
    [InlineData("rootfs extract", "runf rootfs extract [<archive>] [options]")]
    [InlineData("rootfs ls", "runf rootfs ls [<archive>] [options]")]
    [InlineData("kill", "runf kill <id> [<signal>] [options]")]
    [InlineData("ps", "runf ps [options]")]
    public void A_verbs_help_shows_its_own_usage_line(string verb, string usage)
    {
        var r = Runf.Run(env, [.. verb.Split(' '), "--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:\n  " + usage + "\n", r.Stdout);
        Assert.DoesNotContain("<command>", r.Stdout);
    }
}
