using System.Diagnostics;
using System.Formats.Tar;
using System.Runtime.InteropServices;
using RunF.IntegrationTests.Infrastructure;
using RunF.RootfsTools.Tests.Support;
using static RunF.RootfsTools.Tests.Support.CraftedArchive;

namespace RunF.RootfsTools.Tests;

/// <summary>
/// Issue 5, through the real binary as the unprivileged test user: an extraction killed with
/// SIGKILL leaves its work directory, and the next extraction into the same parent removes it;
/// never one whose extraction still runs, never another user's, never through a symlink.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class LeftoverTests(TestEnvironment env)
{
    private const int SigKill = 9;
    private const int MiB = 1 << 20;
    private const int LockEx = 2, LockNb = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void AnExtractionKilledWhileWritingLayersIsRemovedByTheNext()
    {
        string parent = RunfExtract.OwnedDir(env, "killed");
        // 512 MiB of zeros in a gzip layer: a small archive that takes a while to write out.
        byte[] zeros = new byte[64 * MiB];
        string big = new CraftedArchive().Layer(w =>
        {
            for (int i = 0; i < 8; i++)
            {
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"big/{i}") { DataStream = new MemoryStream(zeros, writable: false) });
            }
        }, gzip: true).Write(Path.Combine(env.NewDir("archive"), "big.tar"));

        using (var first = RunfExtract.Start(env, big, Path.Combine(parent, "first")))
        {
            first.StandardInput.Close();
            WaitUntil(first, () => LeftoverFiles(parent).Any(f => f.Length > MiB), "a layer's file half written");
            Kill(first);
        }

        AssertTheNextExtractionRemovesTheLeftover(parent);
    }

    [Fact]
    public void AnExtractionKilledWhileSpoolingStdinIsRemovedByTheNext()
    {
        string parent = RunfExtract.OwnedDir(env, "killed");
        byte[] archive = File.ReadAllBytes(SpooledArchive());

        using (var first = RunfExtract.Start(env, "-", Path.Combine(parent, "first")))
        {
            SpoolHalf(first, archive, parent);
            Kill(first);
        }

        AssertTheNextExtractionRemovesTheLeftover(parent);
    }

    [Fact]
    public void AnExtractionInProgressIsNotRemovedByAnother()
    {
        string parent = RunfExtract.OwnedDir(env, "live");
        byte[] archive = File.ReadAllBytes(SpooledArchive());
        using var first = RunfExtract.Start(env, "-", Path.Combine(parent, "first"));
        SpoolHalf(first, archive, parent);
        string[] live = Leftovers(parent);
        foreach (var dir in live.Select(name => Path.Combine(parent, name)).Where(Directory.Exists))
        {
            Assert.True((File.GetUnixFileMode(dir) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0, $"{dir} is {File.GetUnixFileMode(dir)}");
        }

        var second = RunfExtract.Run(env, SmallArchive(), Path.Combine(parent, "second"));

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(live, Leftovers(parent));
        first.StandardInput.BaseStream.Write(archive, archive.Length / 2, archive.Length - archive.Length / 2);
        first.StandardInput.Close();
        var firstResult = RunfExtract.Finish(first);
        Assert.True(firstResult.ExitCode == 0, firstResult.ToString());
        Assert.Equal(4 * MiB, new FileInfo(Path.Combine(parent, "first", "zeros")).Length);
        Assert.Equal(["first", "first.image.json", "first.owners", "second", "second.image.json", "second.owners"], RunfExtract.Entries(parent));
    }

    [Fact]
    public void OnlyTheCallersUnlockedLeftoversAreRemovedAndNoSymlinkIsFollowed()
    {
        Assert.True(TestEnvironment.IsRoot, "the test plants another user's leftovers and needs root for it");
        uint user = TestEnvironment.TestUid;
        // A shared parent, as /tmp is: anyone may plant entries in it.
        string parent = env.NewDir("shared");
        Scratch.Run("chmod", "1777", parent);
        string victim = RunfExtract.OwnedDir(env, "victim");
        File.WriteAllText(Path.Combine(victim, "precious"), "keep me");
        File.WriteAllText(Path.Combine(victim, "lock"), "");
        Scratch.Run("chown", "-hR", $"{user}:{user}", victim);

        string dead = Leftover(parent, ".dead.runf-aaaaaaaaaaaa", user, withLock: true);
        Directory.CreateSymbolicLink(Path.Combine(dead, "rootfs", "escape"), victim);
        File.CreateSymbolicLink(Path.Combine(dead, "rootfs", "escape-file"), Path.Combine(victim, "precious"));
        Directory.CreateDirectory(Path.Combine(dead, "rootfs", "ro"));
        File.WriteAllText(Path.Combine(dead, "rootfs", "ro", "inside"), "x");
        Scratch.Run("chown", "-hR", $"{user}:{user}", dead);
        Scratch.Run("chmod", "0555", Path.Combine(dead, "rootfs", "ro"));
        string held = Leftover(parent, ".held.runf-bbbbbbbbbbbb", user, withLock: true);
        Leftover(parent, ".foreign.runf-cccccccccccc", user + 1, withLock: true);
        Leftover(parent, ".nolock.runf-eeeeeeeeeeee", user, withLock: false);
        string empty = Path.Combine(parent, ".empty.runf-ffffffffffff");
        Directory.CreateDirectory(empty);
        string linkLock = Leftover(parent, ".linklock.runf-abcdefabcdef", user, withLock: false);
        File.CreateSymbolicLink(Path.Combine(linkLock, "lock"), Path.Combine(victim, "lock"));
        Directory.CreateSymbolicLink(Path.Combine(parent, ".planted.runf-dddddddddddd"), victim);
        Scratch.Run("chown", "-h", $"{user}:{user}", empty, Path.Combine(linkLock, "lock"), Path.Combine(parent, ".planted.runf-dddddddddddd"));

        RunResult result;
        using (var lockFile = File.OpenHandle(Path.Combine(held, "lock"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            Assert.Equal(0, flock((int)lockFile.DangerousGetHandle(), LockEx | LockNb));
            result = RunfExtract.Run(env, SmallArchive(), Path.Combine(parent, "out"));
        }

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [".foreign.runf-cccccccccccc", ".held.runf-bbbbbbbbbbbb", ".linklock.runf-abcdefabcdef", ".nolock.runf-eeeeeeeeeeee", ".planted.runf-dddddddddddd", "out", "out.image.json", "out.owners"],
            RunfExtract.Entries(parent));
        Assert.Equal(["lock", "precious"], RunfExtract.Entries(victim));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(victim, "precious")));
        Assert.Equal(["lock", "rootfs"], RunfExtract.Entries(held));
    }

    private void AssertTheNextExtractionRemovesTheLeftover(string parent)
    {
        Assert.NotEmpty(Leftovers(parent));

        var second = RunfExtract.Run(env, SmallArchive(), Path.Combine(parent, "second"));

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(["second", "second.image.json", "second.owners"], RunfExtract.Entries(parent));
    }

    // A work directory as an extraction leaves it: a tree, and the lock file unless withLock is false.
    private static string Leftover(string parent, string name, uint owner, bool withLock)
    {
        string dir = Path.Combine(parent, name);
        Directory.CreateDirectory(Path.Combine(dir, "rootfs", "bin"));
        File.WriteAllText(Path.Combine(dir, "rootfs", "bin", "sh"), "binary");
        if (withLock)
        {
            File.WriteAllText(Path.Combine(dir, "lock"), "");
        }
        Scratch.Run("chown", "-hR", $"{owner}:{owner}", dir);
        Scratch.Run("chmod", "0700", dir);
        return dir;
    }

    private string SmallArchive() => new CraftedArchive().Layer(w => FileEntry(w, "file")).Write(Path.Combine(env.NewDir("archive"), "small.tar"));

    private string SpooledArchive() => new CraftedArchive().Layer(w =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "zeros") { DataStream = new MemoryStream(new byte[4 * MiB]) }))
        .Write(Path.Combine(env.NewDir("archive"), "spooled.tar"));

    // Feeds the first half of the archive to runf's stdin and waits until its spooled copy is on disk.
    private static void SpoolHalf(Process runf, byte[] archive, string parent)
    {
        runf.StandardInput.BaseStream.Write(archive, 0, archive.Length / 2);
        runf.StandardInput.BaseStream.Flush();
        WaitUntil(runf, () => LeftoverFiles(parent).Any(f => f.Length >= MiB), "the spooled archive");
    }

    private static void Kill(Process runf)
    {
        Runf.Signal(runf.Id, SigKill);
        runf.WaitForExit();
    }

    /// <summary>What extractions keep in the parent while they run: dot names.</summary>
    private static string[] Leftovers(string parent) => [.. RunfExtract.Entries(parent).Where(name => name.StartsWith('.'))];

    private static IEnumerable<FileInfo> LeftoverFiles(string parent)
    {
        var files = new List<FileInfo>();
        foreach (var path in Leftovers(parent).Select(name => Path.Combine(parent, name)))
        {
            try
            {
                if (File.Exists(path))
                {
                    files.Add(new FileInfo(path));
                }
                else if (Directory.Exists(path))
                {
                    files.AddRange(new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories));
                }
            }
            catch (IOException)
            {
                // The extraction changed the tree while it was listed; the next poll sees it.
            }
        }
        return files;
    }

    private static void WaitUntil(Process runf, Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (runf.HasExited)
            {
                Assert.Fail($"runf exited ({runf.ExitCode}) before {what} could be seen: {runf.StandardError.ReadToEnd()}");
            }
            Assert.True(clock.Elapsed < Patience, $"no {what} after {Patience.TotalSeconds} s");
            Thread.Sleep(5);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int flock(int fd, int operation);
}
