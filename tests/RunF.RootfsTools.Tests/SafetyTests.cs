using System.Formats.Tar;
using RunF.RootfsTools.Tests.Support;
using static RunF.RootfsTools.Tests.Support.CraftedArchive;

namespace RunF.RootfsTools.Tests;

/// <summary>
/// Each attack of issue 3 as a crafted archive. Every test asserts the error names the
/// entry, DIR was not created, no temporary directory was left, and the "host" directory
/// beside DIR (what an escape would hit) is exactly as before.
/// </summary>
public sealed class SafetyTests : IDisposable
{
    private readonly Scratch _scratch = new();
    private readonly string _host;
    private readonly string _output;

    public SafetyTests()
    {
        _host = _scratch["host"];
        Directory.CreateDirectory(Path.Combine(_host, "dir"));
        File.WriteAllText(Path.Combine(_host, "victim"), "original");
        File.WriteAllText(Path.Combine(_host, "dir", "inner"), "original");
        File.SetUnixFileMode(Path.Combine(_host, "victim"), (UnixFileMode)0x1A4);
        _output = _scratch["out"];
    }

    private string HostSnapshot() => string.Join('\n', TreeSnapshot.Take(_host).Select(kv => kv.Key + " " + kv.Value));

    private RootfsException Refused(CraftedArchive archive, string mustName, long maxSize = ExtractOptions.DefaultMaxSize, long maxFiles = ExtractOptions.DefaultMaxFiles)
    {
        string before = HostSnapshot();
        string path = archive.Write(_scratch["crafted.tar"]);
        var error = Assert.Throws<RootfsException>(() =>
            RootfsExtractor.Extract(new ExtractOptions(path, _output) { MaxSize = maxSize, MaxFiles = maxFiles }, CancellationToken.None));
        Assert.Contains(mustName, error.Message);
        AssertNothingLeaked(before);
        return error;
    }

    private void AssertNothingLeaked(string hostBefore)
    {
        Assert.False(Path.Exists(_output), "the output directory must not exist after a failed extraction");
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_scratch.Path), p => Path.GetFileName(p).StartsWith(".out", StringComparison.Ordinal));
        Assert.Equal(hostBefore, HostSnapshot());
    }

    [Theory]
    [InlineData("../host/victim")]
    [InlineData("a/../../host/victim")]
    [InlineData("/../host/victim")]
    [InlineData("/tmp/../../host/victim")]
    public void DotDotNamesAreRefused(string name)
    {
        var error = Refused(new CraftedArchive().Layer(w => FileEntry(w, name, "pwned")), name);
        Assert.Contains("refusing to write outside the root", error.Message);
    }

    /// <summary>
    /// An absolute name is taken beneath the root, as umoci, containerd and GNU tar take it
    /// (kaniko writes them): "/tmp/x" is the image's /tmp/x, never the host's.
    /// </summary>
    [Theory]
    [InlineData("/tmp/runf-absolute-escape")]
    [InlineData("//tmp/./runf-absolute-escape")]
    public void AbsoluteNamesStayBeneathTheRoot(string name)
    {
        string before = HostSnapshot();
        string archive = new CraftedArchive().Layer(w =>
        {
            FileEntry(w, name, "inside");
            HardLinkEntry(w, "/hard", name);
        }).Write(_scratch["crafted.tar"]);

        RootfsExtractor.Extract(new ExtractOptions(archive, _output), CancellationToken.None);

        Assert.False(File.Exists("/tmp/runf-absolute-escape"));
        Assert.Equal("inside", File.ReadAllText(Path.Combine(_output, "tmp", "runf-absolute-escape")));
        Assert.Equal("inside", File.ReadAllText(Path.Combine(_output, "hard")));
        Assert.Equal(before, HostSnapshot());
    }

    [Theory]
    [InlineData("abs", "HOST")]
    [InlineData("rel", "../host")]
    [InlineData("dot", ".")]
    [InlineData("slash", "/")]
    public void WritesThroughSymlinksAreRefused(string link, string target)
    {
        target = target.Replace("HOST", _host);
        string victim = $"{link}/victim";
        var error = Refused(new CraftedArchive().Layer(w =>
        {
            SymlinkEntry(w, link, target);
            FileEntry(w, victim, "pwned");
        }), victim);
        Assert.Contains("is a symlink", error.Message);
    }

    [Fact]
    public void SymlinkFromAnEarlierLayerIsNotFollowedEither()
    {
        Refused(new CraftedArchive()
            .Layer(w => SymlinkEntry(w, "etc", _host))
            .Layer(w => FileEntry(w, "etc/victim", "pwned")), "etc/victim");
    }

    [Fact]
    public void HardlinkEscapingTheRootIsRefused()
    {
        Refused(new CraftedArchive().Layer(w => HardLinkEntry(w, "stolen", "../host/victim")), "stolen");
    }

    /// <summary>An absolute target is taken beneath the root too, where the host's file is not.</summary>
    [Fact]
    public void HardlinkToAbsoluteTargetIsRefused()
    {
        Refused(new CraftedArchive().Layer(w => HardLinkEntry(w, "stolen", _host + "/victim")), "stolen");
    }

    [Fact]
    public void HardlinkNamingASymlinkIsRefused()
    {
        var error = Refused(new CraftedArchive().Layer(w =>
        {
            SymlinkEntry(w, "link", _host + "/victim");
            HardLinkEntry(w, "stolen", "link");
        }), "stolen");
        Assert.Contains("is a symlink", error.Message);
    }

    [Fact]
    public void HardlinkThroughASymlinkedDirectoryIsRefused()
    {
        Refused(new CraftedArchive().Layer(w =>
        {
            SymlinkEntry(w, "hostdir", _host);
            HardLinkEntry(w, "stolen", "hostdir/victim");
        }), "stolen");
    }

    [Theory]
    [InlineData(".wh..")]
    [InlineData(".wh.")]
    [InlineData("sub/.wh..")]
    public void WhiteoutsNamingNothingOrParentAreRefused(string name)
    {
        Refused(new CraftedArchive()
            .Layer(w => DirEntry(w, "sub/"))
            .Layer(w => FileEntry(w, name, "")), name);
    }

    [Fact]
    public void WhiteoutUnderASymlinkedDirectoryIsRefused()
    {
        var error = Refused(new CraftedArchive()
            .Layer(w => SymlinkEntry(w, "hostdir", _host))
            .Layer(w => FileEntry(w, "hostdir/.wh.victim", "")), "hostdir/.wh.victim");
        Assert.Contains("is a symlink", error.Message);
    }

    [Fact]
    public void OpaqueWhiteoutUnderASymlinkedDirectoryIsRefused()
    {
        Refused(new CraftedArchive()
            .Layer(w => SymlinkEntry(w, "hostdir", _host))
            .Layer(w => FileEntry(w, "hostdir/.wh..wh..opq", "")), "hostdir/.wh..wh..opq");
    }

    [Fact]
    public void WhiteoutOfASymlinkRemovesTheLinkNotItsTarget()
    {
        string before = HostSnapshot();
        string path = new CraftedArchive()
            .Layer(w => SymlinkEntry(w, "hostdir", _host))
            .Layer(w => FileEntry(w, ".wh.hostdir", ""))
            .Write(_scratch["crafted.tar"]);
        RootfsExtractor.Extract(new ExtractOptions(path, _output), CancellationToken.None);
        Assert.False(Path.Exists(Path.Combine(_output, "hostdir")));
        Assert.Equal(before, HostSnapshot());
    }

    [Fact]
    public void ChmodAndTimesNeverGoThroughSymlinks()
    {
        // Layer 1 makes "d" a directory with mode 0700 (applied last) and "f" a symlink to a
        // host file; layer 2 turns "d" into a symlink to a host directory and rewrites "f" with
        // mode 0777 and setuid. The host must keep its modes; the rootfs gets a regular file.
        string before = HostSnapshot();
        string path = new CraftedArchive()
            .Layer(w =>
            {
                DirEntry(w, "d/", 0x1C0);
                SymlinkEntry(w, "f", _host + "/victim");
            })
            .Layer(w =>
            {
                SymlinkEntry(w, "d", _host + "/dir");
                FileEntry(w, "f", "mine", 0x9FF);
                DirEntry(w, "f2/", 0x1FF);
            })
            .Write(_scratch["crafted.tar"]);
        RootfsExtractor.Extract(new ExtractOptions(path, _output), CancellationToken.None);
        Assert.Equal(before, HostSnapshot());
        Assert.Equal("original", File.ReadAllText(Path.Combine(_host, "victim")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(_output, "f")));
        Assert.Equal((UnixFileMode)0x9FF, File.GetUnixFileMode(Path.Combine(_output, "f")));
        Assert.Equal(_host + "/dir", new FileInfo(Path.Combine(_output, "d")).LinkTarget);
    }

    [Theory]
    [InlineData("../outside.tar")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../x")]
    public void ManifestPathsLeavingTheArchiveAreRefused(string layer)
    {
        string before = HostSnapshot();
        string path = new CraftedArchive().Layer(w => FileEntry(w, "x")).Write(_scratch["crafted.tar"], layerNames: [layer]);
        var error = Assert.Throws<RootfsException>(() => RootfsExtractor.Extract(new ExtractOptions(path, _output), CancellationToken.None));
        Assert.Contains(layer, error.Message);
        AssertNothingLeaked(before);
    }

    [Fact]
    public void DecompressionBombStopsAtMaxSize()
    {
        // 64 MiB of zeros gzip to about 64 KiB; the limit is 8 MiB.
        var error = Refused(new CraftedArchive().Layer(w =>
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bomb") { DataStream = new MemoryStream(new byte[64 << 20]) }), gzip: true),
            "layer 1 (layer0/layer.tar)", maxSize: 8 << 20);
        Assert.Contains("--max-size", error.Message);
    }

    [Fact]
    public void HugeEntryCountStopsAtMaxFiles()
    {
        var error = Refused(new CraftedArchive().Layer(w =>
        {
            for (int i = 0; i < 500; i++)
            {
                FileEntry(w, $"f{i}", "");
            }
        }), "--max-files", maxFiles: 100);
        Assert.Contains("f100", error.Message);
    }

    [Fact]
    public void TruncatedArchiveIsAnError()
    {
        string before = HostSnapshot();
        string path = new CraftedArchive().Layer(w => FileEntry(w, "big", new string('x', 100_000))).Write(_scratch["crafted.tar"]);
        using (var f = new FileStream(path, FileMode.Open))
        {
            f.SetLength(50_000);
        }
        var error = Assert.Throws<RootfsException>(() => RootfsExtractor.Extract(new ExtractOptions(path, _output), CancellationToken.None));
        Assert.Contains("truncated", error.Message);
        AssertNothingLeaked(before);
    }

    [Fact]
    public void CorruptGzipLayerNamesTheLayer()
    {
        string before = HostSnapshot();
        byte[] gz = Gzip(System.Text.Encoding.UTF8.GetBytes(new string('y', 200_000)));
        for (int i = 20; i < gz.Length - 8; i += 7)
        {
            gz[i] ^= 0x5a;
        }
        string path = new CraftedArchive().RawLayer(gz).Write(_scratch["crafted.tar"], diffIds: ["sha256:" + new string('0', 64)]);
        var error = Assert.Throws<RootfsException>(() => RootfsExtractor.Extract(new ExtractOptions(path, _output), CancellationToken.None));
        Assert.Contains("layer 1 (layer0/layer.tar)", error.Message);
        AssertNothingLeaked(before);
    }

    [Fact]
    public void DiffIdMismatchNamesTheLayer()
    {
        string before = HostSnapshot();
        string path = new CraftedArchive()
            .Layer(w => FileEntry(w, "a"))
            .Layer(w => FileEntry(w, "b"))
            .Write(_scratch["crafted.tar"], diffIds: [null!, "sha256:" + new string('1', 64)]);
        var error = Assert.Throws<RootfsException>(() => RootfsExtractor.Extract(new ExtractOptions(path, _output), CancellationToken.None));
        Assert.Contains("layer 2 (layer1/layer.tar)", error.Message);
        Assert.Contains("expects sha256:1111", error.Message);
        AssertNothingLeaked(before);
    }

    [Fact]
    public void FullDiskFailsCleanlyAndNamesTheEntry()
    {
        // A 2 MiB tmpfs stands in for a full disk; the test runs as root in CI (see README).
        Assert.True(Environment.UserName == "root", "this test mounts a tmpfs and must run as root");
        string mount = _scratch["small"];
        Directory.CreateDirectory(mount);
        Scratch.Run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount);
        try
        {
            string archive = new CraftedArchive().Layer(w =>
            {
                FileEntry(w, "small", "fits");
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "usr/huge") { DataStream = new MemoryStream(new byte[8 << 20]) });
            }).Write(_scratch["crafted.tar"]);
            string output = Path.Combine(mount, "rootfs");
            var error = Assert.Throws<RootfsException>(() => RootfsExtractor.Extract(new ExtractOptions(archive, output), CancellationToken.None));
            Assert.Contains("usr/huge", error.Message);
            Assert.Contains("no space left on device", error.Message);
            Assert.Empty(Directory.EnumerateFileSystemEntries(mount));
        }
        finally
        {
            Scratch.Run("umount", mount);
        }
    }

    /// <summary>
    /// An image directory (an OCI layout, or here a docker save tree) whose layer is a symlink
    /// out of it, to a file with exactly the layer's bytes: were it followed, the extraction would
    /// succeed, reading a host file the caller named no part of. It resolves inside the directory.
    /// </summary>
    [Theory]
    [InlineData("absolute")]
    [InlineData("relative")]
    public void AnImageDirectoryIsNotLeftThroughASymlink(string kind)
    {
        string tree = _scratch["image-dir"];
        Directory.CreateDirectory(tree);
        string archive = new CraftedArchive().Layer(w => FileEntry(w, "stolen", "host data")).Write(_scratch["crafted.tar"]);
        Scratch.Run("tar", "-xf", archive, "-C", tree);
        string outside = Path.Combine(_host, "layer.tar");
        File.Move(Path.Combine(tree, "layer0", "layer.tar"), outside);
        File.CreateSymbolicLink(Path.Combine(tree, "layer0", "layer.tar"), kind == "absolute" ? outside : "../../host/layer.tar");

        var error = Assert.Throws<RootfsException>(() => RootfsExtractor.Extract(new ExtractOptions(tree, _output), CancellationToken.None));

        Assert.Contains("manifest.json layer \"layer0/layer.tar\" is missing", error.Message);
        Assert.False(Path.Exists(_output));
    }

    public void Dispose() => _scratch.Dispose();
}
