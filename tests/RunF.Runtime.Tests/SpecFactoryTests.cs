using RunF.Runtime.Errors;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Tests;

public class SpecFactoryTests
{
    [Fact]
    public void Applies_the_default_environment_then_image_then_files_then_flags()
    {
        var file = Path.GetTempFileName();
        File.WriteAllLines(file, ["# comment", "", "FROM_FILE=1", "B=file"]);
        try
        {
            var spec = SpecFixtures.Create(
                new RunRequest { Command = ["true"], Env = ["B=flag", "PASSED", "ABSENT"], EnvFiles = [file] },
                new ImageDefaults(["A=image", "B=image", "PATH=/image/bin"], null, null, null),
                key => key == "PASSED" ? "from-host" : null);
            Assert.Equal(
                ["HOSTNAME=zen_turing", "TERM=xterm", "HOME=/root", "A=image", "PATH=/image/bin", "FROM_FILE=1", "B=flag", "PASSED=from-host"],
                spec.Env);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void An_inherited_environment_goes_over_the_images_and_under_files_and_flags()
    {
        var file = Path.GetTempFileName();
        File.WriteAllLines(file, ["C=file"]);
        try
        {
            var spec = SpecFixtures.Create(
                new RunRequest { Command = ["true"], Env = ["D=flag"], EnvFiles = [file], InheritedEnv = ["A=agent", "C=agent", "D=agent", "E=agent"] },
                new ImageDefaults(["A=image", "B=image"], null, null, null));
            Assert.Equal(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=zen_turing", "TERM=xterm", "HOME=/root",
                "B=image", "A=agent", "E=agent", "C=file", "D=flag"], spec.Env);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void An_image_cannot_name_an_executor_variable_to_receive_its_value()
    {
        var spec = SpecFixtures.Create(
            new RunRequest { Command = ["true"] },
            new ImageDefaults(["AWS_SECRET_ACCESS_KEY", "A=image"], null, null, null),
            key => key == "AWS_SECRET_ACCESS_KEY" ? "executor-secret" : null);
        Assert.Contains("A=image", spec.Env);
        Assert.DoesNotContain(spec.Env, e => e.StartsWith("AWS_SECRET_ACCESS_KEY", StringComparison.Ordinal));
    }

    [Fact]
    public void Runs_the_images_entrypoint_with_the_given_command_or_its_cmd()
    {
        var image = new ImageDefaults([], ["/entry"], ["default"], "/app");
        Assert.Equal(["/entry", "default"], SpecFixtures.Create(new RunRequest(), image).Args);
        Assert.Equal(["/entry", "mine"], SpecFixtures.Create(new RunRequest { Command = ["mine"] }, image).Args);
        Assert.Equal("/app", SpecFixtures.Create(new RunRequest(), image).WorkingDir);
        Assert.Equal("/w", SpecFixtures.Create(new RunRequest { WorkingDir = "/w" }, image).WorkingDir);
    }

    [Fact]
    public void Refuses_a_run_without_a_command()
    {
        var e = Assert.Throws<RunfException>(() => SpecFixtures.Create(new RunRequest()));
        Assert.StartsWith("no command given", e.Message);
    }

    [Theory]
    [InlineData("relative")]
    [InlineData("")]
    public void Refuses_a_relative_working_directory(string dir) =>
        Assert.Throws<RunfException>(() => SpecFixtures.Create(new RunRequest { Command = ["true"], WorkingDir = dir }));

    [Fact]
    public void Adds_and_drops_capabilities_like_docker()
    {
        Assert.Equal([5, 10, 12, 29], SpecFixtures.Create(new RunRequest { Command = ["true"], CapAdd = ["net_admin"] }).Capabilities);
        Assert.Equal([5, 29], SpecFixtures.Create(new RunRequest { Command = ["true"], CapDrop = ["CAP_NET_BIND_SERVICE"] }).Capabilities);
        Assert.Equal([0], SpecFixtures.Create(new RunRequest { Command = ["true"], CapDrop = ["ALL"], CapAdd = ["CHOWN"] }).Capabilities);
        var e = Assert.Throws<RunfException>(() => SpecFixtures.Create(new RunRequest { Command = ["true"], CapAdd = ["FLY"] }));
        Assert.Contains("unknown capability \"FLY\"", e.Message);
    }

    [Theory]
    [InlineData("/nonexistent-source:/x", "does not exist")]
    [InlineData("/etc:relative", "absolute path")]
    [InlineData("/etc:/a/../b", "absolute path")]
    [InlineData("/etc:/x:maybe", "expected SRC:DST[:ro|rw]")]
    [InlineData("/etc", "expected SRC:DST[:ro|rw]")]
    public void Rejects_bad_binds_with_a_clear_reason(string bind, string reason)
    {
        var e = Assert.Throws<RunfException>(() => SpecFixtures.Create(new RunRequest { Command = ["true"], Binds = [bind] }));
        Assert.Contains(reason, e.Message);
        Assert.Contains(bind, e.Message);
    }

    [Fact]
    public void Parses_binds_and_tmpfs()
    {
        var spec = SpecFixtures.Create(new RunRequest { Command = ["true"], Binds = ["/etc/hostname:/h:rw", "/etc:/e/"], Tmpfs = ["/tmp:16m", "/run"] });
        Assert.Equal(
            [new TmpfsMountSpec("/tmp", 16 << 20), new TmpfsMountSpec("/run", 64 << 20),
             new BindMountSpec("/etc/hostname", "/h", true, false), new BindMountSpec("/etc", "/e", false, true)],
            spec.Mounts);
    }

    [Fact]
    public void Limits_open_files_unless_told_otherwise()
    {
        Assert.Equal([Rlimits.DefaultNoFile], SpecFixtures.Create().Rlimits);
        Assert.Equal([new Rlimit(6, 100, 100), new Rlimit(7, 10, 20)],
            SpecFixtures.Create(new RunRequest { Command = ["true"], Ulimits = ["nofile=10:20", "nproc=100"] }).Rlimits);
    }
}
