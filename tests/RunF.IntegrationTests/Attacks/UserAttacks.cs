using RunF.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace RunF.IntegrationTests.Attacks;

/// <summary>
/// A command run with --user 1000 cannot get back to root: it holds no capability (only the
/// bounding set remains), no_new_privs stops setuid files, and the ids of container root (the
/// caller) are not its own. The proof target is a file of container root, mode 0644, on a
/// writable bind: root inside writes it, the user must not.
/// </summary>
[Collection(AttackCollection.Name)]
public class UserAttacks : AttackTests
{
    private const string NoPrivileges = "uid 1000 1000 1000 caps 0000000000000000 nnp 1";

    private readonly string _rootfs;
    private readonly string _data;

    public UserAttacks(AttackEnvironment world, ITestOutputHelper output) : base(world, output, "--user")
    {
        _ = TestAccounts.SubordinateCount;
        _rootfs = World.WithProbe("user-attacks");
        File.WriteAllText(Path.Combine(_rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/:/bin/sh\n");
        File.WriteAllText(Path.Combine(_rootfs, "etc", "group"), "root:x:0:\napp:x:1000:\n");
        // Container root's: the caller's on the host, 0755 and 0644.
        _data = Env.NewDir("root-owned");
        File.WriteAllText(Path.Combine(_data, "file"), "root's\n");
        File.SetUnixFileMode(Path.Combine(_data, "file"), (UnixFileMode)0x1a4);
        Shell.Run("chown", "-R", $"{TestEnvironment.TestUid}:{TestEnvironment.TestUid}", _data);
    }

    private string AsUser(params string[] probe) => World.RunIn(_rootfs, ["--user", "1000:1000", "--bind", $"{_data}:/mnt:rw", "--", "probe", .. probe]);

    [Fact]
    public void The_user_holds_no_capability_and_has_no_new_privs() => Outcome("capabilities of --user 1000", AsUser("creds"), NoPrivileges);

    [Theory]
    [InlineData("setuid", "0")]
    [InlineData("setgid", "0")]
    [InlineData("setgroups", "0")]
    public void Taking_root_ids_back_fails_with_EPERM(string call, string id) => Outcome($"{call}({id}) as uid 1000", AsUser(call, id), "EPERM");

    [Fact]
    public void Writing_a_file_of_container_root_fails_with_EACCES()
    {
        // The same write as root inside succeeds: only the identity stops it.
        Assert.Equal("ok", World.RunIn(_rootfs, ["--bind", $"{_data}:/mnt:rw", "--", "probe", "write", "/mnt/file"]));
        Outcome("write a 0644 file of container root", AsUser("write", "/mnt/file"), "EACCES");
        Outcome("create a file in a 0755 directory of container root", AsUser("write", "/mnt/new"), "EACCES");
        Outcome("chown a file of container root", AsUser("chown", "/mnt/file", "1000"), "EPERM");
    }

    [Fact]
    public void Root_of_a_nested_user_namespace_cannot_write_it_either()
    {
        // Without the seccomp filter, which would refuse the namespace: its capabilities reach
        // no file whose owner it does not map, and it maps only uid 1000.
        var outcome = World.RunIn(_rootfs, ["--seccomp", "unconfined", "--user", "1000:1000", "--bind", $"{_data}:/mnt:rw", "--", "probe", "nested-root-write", "/mnt/file"]);
        Outcome("write a file of container root as root of a nested user namespace", outcome, "EACCES");
    }

    [Fact]
    public void A_setuid_root_file_gives_the_user_nothing()
    {
        // Owned by container root (the caller) with the setuid and setgid bits: no_new_privs alone
        // keeps exec from making the user root (the rootfs is not mounted nosuid).
        var suid = Path.Combine(_rootfs, "bin", "suid");
        Shell.Run("install", "-m", "06755", "-o", $"{TestEnvironment.TestUid}", "-g", $"{TestEnvironment.TestUid}", World.ProbeBinary, suid);
        Outcome("exec a setuid-root file as uid 1000", World.RunIn(_rootfs, "--user", "1000:1000", "--", "suid", "creds"), NoPrivileges);
        Outcome("exec a setuid-root file as uid 1000, no seccomp", World.RunIn(_rootfs, "--user", "1000:1000", "--seccomp", "unconfined", "--", "suid", "creds"), NoPrivileges);
    }
}
