using System.Formats.Tar;
using System.Text;
using RunF.RootfsTools.Archive;
using RunF.RootfsTools.Tests.Support;
using static RunF.RootfsTools.Tests.Support.CraftedArchive;

namespace RunF.RootfsTools.Tests;

/// <summary>Atomic output, sidecars, rootless handling of owners, devices and xattrs, layer semantics details.</summary>
public sealed class OutputTests : IDisposable
{
    private readonly Scratch _scratch = new();

    private string Extract(CraftedArchive archive, bool force = false, string? output = null)
    {
        output ??= _scratch["out"];
        RootfsExtractor.Extract(new ExtractOptions(archive.Write(_scratch["crafted.tar"]), output) { Force = force }, CancellationToken.None);
        return output;
    }

    [Fact]
    public void ExistingOutputNeedsForceAndIsReplacedWhole()
    {
        string output = Extract(new CraftedArchive().Layer(w => FileEntry(w, "old", "1")));
        var error = Assert.Throws<RootfsException>(() => Extract(new CraftedArchive().Layer(w => FileEntry(w, "new", "2"))));
        Assert.Contains("already exists; use --force", error.Message);
        Assert.True(File.Exists(Path.Combine(output, "old")));

        Extract(new CraftedArchive().Layer(w =>
        {
            DirEntry(w, "ro/", 0x16D);
            FileEntry(w, "ro/new", "2");
        }), force: true);
        Assert.False(File.Exists(Path.Combine(output, "old")));
        Assert.Equal("2", File.ReadAllText(Path.Combine(output, "ro/new")));
        // A read-only directory in the old tree must not stop --force from removing it.
        Extract(new CraftedArchive().Layer(w => FileEntry(w, "third", "3")), force: true);
        string[] expected = ["crafted.tar", "out", "out.image.json", "out.owners"];
        Assert.Equal(expected, Directory.EnumerateFileSystemEntries(_scratch.Path).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal));
    }

    /// <summary>mknod applies the umask: Debian's image has a 0620 fifo that came out 0600 (found against umoci).</summary>
    [Fact]
    public void AFifoKeepsItsModeWhateverTheUmask()
    {
        string output = Extract(new CraftedArchive().Layer(w =>
            w.WriteEntry(new PaxTarEntry(TarEntryType.Fifo, "fifo") { Mode = (UnixFileMode)0x190 })));
        Assert.Equal((UnixFileMode)0x190, File.GetUnixFileMode(Path.Combine(output, "fifo")));
    }

    [Fact]
    public void CancellationLeavesNothingBehind()
    {
        using var cts = new CancellationTokenSource();
        string archive = new CraftedArchive()
            .Layer(w => FileEntry(w, "a"))
            .Layer(w => FileEntry(w, "b"))
            .Write(_scratch["crafted.tar"]);
        var options = new ExtractOptions(archive, _scratch["out"]) { Progress = p => { if (p.Layer == 2) { cts.Cancel(); } } };
        Assert.ThrowsAny<OperationCanceledException>(() => RootfsExtractor.Extract(options, cts.Token));
        Assert.Equal(["crafted.tar"], Directory.EnumerateFileSystemEntries(_scratch.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void OwnersDevicesAndXattrsAreHandledRootlessly()
    {
        string output = Extract(new CraftedArchive().Layer(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "home/user/file") { Uid = 1000, Gid = 100, DataStream = new MemoryStream("x"u8.ToArray()) });
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "tab\tname") { Uid = 5, Gid = 5 });
            w.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null") { DeviceMajor = 1, DeviceMinor = 3 });
            w.WriteEntry(new PaxTarEntry(TarEntryType.BlockDevice, "dev/sda") { DeviceMajor = 8, DeviceMinor = 0 });
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bin/ping", new Dictionary<string, string>
            {
                ["SCHILY.xattr.security.capability"] = "\u0001",
                ["SCHILY.xattr.user.note"] = "kept",
            }) { Mode = (UnixFileMode)0x9ED });
        }));
        Assert.Equal("1000:100 home/user/file\n5:5 tab\\tname\n", File.ReadAllText(OwnershipFile.PathFor(output)));
        Assert.False(Path.Exists(Path.Combine(output, "dev/null")));
        Assert.Equal((UnixFileMode)0x9ED, File.GetUnixFileMode(Path.Combine(output, "bin/ping")));
        Assert.Equal("kept", Scratch.Run("python3", "-c", "import os, sys; sys.stdout.write(os.getxattr(sys.argv[1], \"user.note\").decode())", Path.Combine(output, "bin/ping")));
    }

    [Fact]
    public void SummaryCountsSkippedDevicesAndDroppedXattrs()
    {
        string archive = new CraftedArchive().Layer(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null") { DeviceMajor = 1, DeviceMinor = 3 });
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bin/ping", new Dictionary<string, string> { ["SCHILY.xattr.security.capability"] = "\u0001" }));
        }).Write(_scratch["crafted.tar"]);
        var result = RootfsExtractor.Extract(new ExtractOptions(archive, _scratch["out"]), CancellationToken.None);
        Assert.Equal(1, result.Stats.SkippedDevices);
        Assert.Equal(1, result.Stats.DroppedXattrs);
        Assert.Contains("1 device nodes skipped, 1 non-user xattrs dropped", result.Summary());
    }

    [Fact]
    public void MountPointsAreCreatedOnlyWhenAbsent()
    {
        string output = Extract(new CraftedArchive().Layer(w =>
        {
            DirEntry(w, "etc/");
            SymlinkEntry(w, "etc/resolv.conf", "../run/resolv.conf");
            FileEntry(w, "etc/hosts", "127.0.0.1 image");
        }));
        Assert.True(Directory.Exists(Path.Combine(output, "proc")));
        Assert.True(Directory.Exists(Path.Combine(output, "sys")));
        Assert.True(Directory.Exists(Path.Combine(output, "dev")));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(output, "tmp")));
        Assert.Equal("../run/resolv.conf", new FileInfo(Path.Combine(output, "etc/resolv.conf")).LinkTarget);
        Assert.Equal("127.0.0.1 image", File.ReadAllText(Path.Combine(output, "etc/hosts")));
    }

    [Fact]
    public void DirectoryModesAndTimesAreSetLast()
    {
        var mtime = new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);
        string output = Extract(new CraftedArchive().Layer(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "ro/") { Mode = (UnixFileMode)0x16D, ModificationTime = mtime });
            FileEntry(w, "ro/inside", "written after the read-only mode was read");
        }));
        Assert.Equal((UnixFileMode)0x16D, File.GetUnixFileMode(Path.Combine(output, "ro")));
        Assert.Equal(mtime, new DirectoryInfo(Path.Combine(output, "ro")).LastWriteTimeUtc);
        Assert.True(File.Exists(Path.Combine(output, "ro/inside")));
    }

    [Fact]
    public void ZeroLayerIsEmpty()
    {
        string archive = new CraftedArchive().RawLayer(new byte[1024]).RawLayer([]).Layer(w => FileEntry(w, "a")).Write(_scratch["crafted.tar"]);
        var result = RootfsExtractor.Extract(new ExtractOptions(archive, _scratch["out"]), CancellationToken.None);
        Assert.Equal(3, result.Stats.Layers);
        Assert.Equal(1, result.Stats.Files);
    }

    [Fact]
    public void ReplacementsAcrossTypes()
    {
        string output = Extract(new CraftedArchive()
            .Layer(w =>
            {
                DirEntry(w, "was-dir/");
                FileEntry(w, "was-dir/child");
                FileEntry(w, "was-file");
                DirEntry(w, "merged/");
                FileEntry(w, "merged/lower");
            })
            .Layer(w =>
            {
                FileEntry(w, "was-dir", "now a file");
                DirEntry(w, "was-file/");
                DirEntry(w, "merged/");
                FileEntry(w, "merged/upper");
            }));
        Assert.Equal("now a file", File.ReadAllText(Path.Combine(output, "was-dir")));
        Assert.True(Directory.Exists(Path.Combine(output, "was-file")));
        Assert.True(File.Exists(Path.Combine(output, "merged/lower")));
        Assert.True(File.Exists(Path.Combine(output, "merged/upper")));
    }

    [Fact]
    public void ImageConfigIsBesideTheRootfs()
    {
        string output = Extract(new CraftedArchive().Layer(w => FileEntry(w, "a")));
        Assert.Equal(output + ".image.json", ImageConfigFile.PathFor(output + "/"));
        var config = ImageConfigFile.TryLoad(output)!;
        Assert.Equal(["PATH=/bin"], config.Env);
        Assert.Equal(["/bin/sh"], config.Cmd!);
        Assert.Null(config.Entrypoint);
        Assert.Null(ImageConfigFile.TryLoad(_scratch["nothing"]));
        File.WriteAllText(ImageConfigFile.PathFor(output), "{not json");
        Assert.Contains("not valid json", Assert.Throws<RootfsException>(() => ImageConfigFile.TryLoad(output)).Message);
    }

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36")]
    [InlineData("user/app", "docker.io/user/app:latest")]
    [InlineData("docker.io/library/busybox:latest", "docker.io/library/busybox:latest")]
    [InlineData("index.docker.io/library/busybox", "docker.io/library/busybox:latest")]
    [InlineData("localhost:5000/app", "localhost:5000/app:latest")]
    [InlineData("quay.io/org/app:v1", "quay.io/org/app:v1")]
    public void ReferencesNormaliseLikeDocker(string reference, string expected)
    {
        Assert.Equal(expected, ImageSelector.Normalize(reference));
    }

    [Fact]
    public void BadChoicesListTheImages()
    {
        var images = new[]
        {
            new ImageInfo(0, ["busybox:latest"], new string('a', 64), []),
            new ImageInfo(1, ["alpine:3"], "ab" + new string('c', 62), []),
        };
        Assert.Same(images[0], ImageSelector.Select(images, "busybox"));
        Assert.Same(images[1], ImageSelector.Select(images, "docker.io/library/alpine:3"));
        Assert.Same(images[1], ImageSelector.Select(images, "abc"));
        Assert.Contains("ambiguous", Assert.Throws<RootfsException>(() => ImageSelector.Select(images, "a")).Message);
        Assert.Contains("@0 aaaaaaaaaaaa (busybox:latest)", Assert.Throws<RootfsException>(() => ImageSelector.Select(images, "nginx")).Message);
        Assert.Contains("@0 to @1", Assert.Throws<RootfsException>(() => ImageSelector.Select(images, "@2")).Message);
    }

    [Fact]
    public void NotAnArchiveIsAClearError()
    {
        File.WriteAllText(_scratch["junk.tar"], "this is not a tar file at all, just text that goes on for a while " + new string('z', 600));
        var error = Assert.Throws<RootfsException>(() => RootfsExtractor.Extract(new ExtractOptions(_scratch["junk.tar"], _scratch["out"]), CancellationToken.None));
        Assert.Contains("junk.tar", error.Message);
        Assert.False(Path.Exists(_scratch["out"]));
    }

    public void Dispose() => _scratch.Dispose();
}
