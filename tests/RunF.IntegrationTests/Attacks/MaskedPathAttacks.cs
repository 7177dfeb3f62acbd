using Xunit.Abstractions;

namespace RunF.IntegrationTests.Attacks;

/// <summary>
/// Masked /proc and /sys paths read as empty, whichever way they are reached. A fresh proc
/// mount that would unmask them is a mount attack (MountAttacks).
/// </summary>
[Collection(AttackCollection.Name)]
public class MaskedPathAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "masked paths")
{
    [Theory]
    [InlineData("/proc/keys")]
    [InlineData("/proc/timer_list")]
    [InlineData("/proc/self/root/proc/keys")]
    [InlineData("/proc/1/root/proc/timer_list")]
    [InlineData("/dev/fd/../../keys")]
    public void Masked_files_read_empty(string path)
    {
        Assert.True(File.ReadAllText("/proc/timer_list").Length > 0, "the host has no /proc/timer_list: the attack would prove nothing");
        Blocked($"read {path}", "ok 0", "read", path);
    }

    [Fact]
    public void Masked_directories_list_empty()
    {
        // /sys/firmware has entries on this host; /proc/acpi is empty here, so it proves nothing.
        const string path = "/sys/firmware";
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(path));
        var r = Infrastructure.Runf.Run(Env, "ls", "-A", path);
        Outcome($"ls {path}", r.ExitCode == 0 ? $"{r.Stdout.Length} bytes listed" : r.ToString(), "0 bytes listed");
    }
}
