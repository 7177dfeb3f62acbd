using RunF.IntegrationTests.Infrastructure;
using RunF.RootfsTools.Tests.Support;

namespace RunF.RootfsTools.Tests;

/// <summary>
/// The layer tar reader on the header forms real tools write (Python's tarfile and GNU tar):
/// ustar's prefix field, GNU base-256 numbers, a PAX global header, a hardlink whose size field
/// is not zero; and on what it must refuse in one line: a corrupt header, a truncated layer,
/// a sparse file.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class TarFormatTests(TestEnvironment env) : IDisposable
{
    private readonly Scratch _scratch = new();

    private const string Writer = """
        import io, sys, tarfile
        fmt = {"ustar": tarfile.USTAR_FORMAT, "gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT}[sys.argv[2]]
        globals_ = {"comment": "written by a test"} if sys.argv[2] == "pax" else None
        with tarfile.open(sys.argv[1], "w", format=fmt, pax_headers=globals_) as t:
            for spec in sys.argv[3:]:
                name, uid, mtime, data = spec.split("|")
                i = tarfile.TarInfo(name); i.uid = int(uid); i.mtime = int(mtime); i.mode = 0o640; i.size = len(data)
                t.addfile(i, io.BytesIO(data.encode()))
        """;

    private string Layer(string format, params string[] entries)
    {
        string path = _scratch[$"layer-{Guid.NewGuid():N}.tar"];
        Scratch.Run("python3", ["-c", Writer, path, format, .. entries]);
        return path;
    }

    private string Extract(params string[] layers)
    {
        var archive = new CraftedArchive();
        foreach (var layer in layers)
        {
            archive.RawLayer(File.ReadAllBytes(layer));
        }
        string output = _scratch["out-" + Guid.NewGuid().ToString("N")];
        RootfsExtractor.Extract(new ExtractOptions(archive.Write(_scratch[$"archive-{Guid.NewGuid():N}.tar"]), output), CancellationToken.None);
        return output;
    }

    [Fact]
    public void UstarPrefixBase256AndPaxGlobalHeadersAreRead()
    {
        string deep = string.Join('/', Enumerable.Repeat("directory-level", 9)) + "/file";
        string output = Extract(
            // A name over 100 bytes in ustar: prefix "/" name.
            Layer("ustar", $"{deep}|0|1700000000|ustar"),
            // uid 3000000 and a 2^33 s mtime do not fit octal: GNU base-256.
            Layer("gnu", $"big-ids|3000000|{1L << 33}|gnu"),
            Layer("pax", "after-global|0|1700000000|pax"));

        Assert.Equal("ustar", File.ReadAllText(Path.Combine(output, deep)));
        Assert.Equal("gnu", File.ReadAllText(Path.Combine(output, "big-ids")));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1L << 33), File.GetLastWriteTimeUtc(Path.Combine(output, "big-ids")));
        Assert.Equal("pax", File.ReadAllText(Path.Combine(output, "after-global")));
        Assert.Contains("3000000:0 big-ids\n", File.ReadAllText(OwnershipFile.PathFor(output)));
        Assert.Equal((UnixFileMode)0x1A0, File.GetUnixFileMode(Path.Combine(output, "big-ids")));
    }

    /// <summary>
    /// Some tars give a hardlink the size of its target and no data. Go's archive/tar (docker,
    /// umoci) reads no data for a link whatever its size field says, and so must runf, or the
    /// entry after the link is lost in "its data".
    /// </summary>
    [Fact]
    public void AHardlinkWithASizeHasNoData()
    {
        string layer = Layer("ustar", "target|0|1700000000|content", "link|0|1700000000|12345", "after|0|1700000000|last");
        byte[] tar = File.ReadAllBytes(layer);
        int header = 1024;
        tar[header + 156] = (byte)'1';
        "target"u8.CopyTo(tar.AsSpan(header + 157));
        Checksum(tar, header);
        // The link keeps its size field (5) but loses its data block.
        File.WriteAllBytes(layer, [.. tar[..(header + 512)], .. tar[(header + 1024)..]]);

        string output = Extract(layer);

        Assert.Equal("content", File.ReadAllText(Path.Combine(output, "link")));
        Assert.Equal("last", File.ReadAllText(Path.Combine(output, "after")));
    }

    [Fact]
    public void ACorruptHeaderIsRefused()
    {
        string layer = Layer("ustar", "file|0|1700000000|x");
        byte[] tar = File.ReadAllBytes(layer);
        tar[10] ^= 0x20;
        File.WriteAllBytes(layer, tar);

        var error = Assert.Throws<RootfsException>(() => Extract(layer));

        Assert.Contains("is not a valid tar or is truncated: a tar header's checksum does not match", error.Message);
    }

    [Fact]
    public void ATruncatedLayerIsRefused()
    {
        string layer = Layer("ustar", "file|0|1700000000|" + new string('x', 3000));
        File.WriteAllBytes(layer, File.ReadAllBytes(layer)[..2048]);

        var error = Assert.Throws<RootfsException>(() => Extract(layer));

        Assert.Contains("entry \"file\": the layer ends inside an entry's data (truncated)", error.Message);
    }

    /// <summary>GNU tar --sparse, in its old ('S') and PAX forms, through the real binary: one line that says why and what to do.</summary>
    [Theory]
    [InlineData("gnu")]
    [InlineData("posix")]
    public void ASparseFileIsRefusedInOneLine(string format)
    {
        string dir = env.NewDir("sparse");
        Scratch.Run("sh", "-c", "cd \"$0\" && truncate -s 1M holes && printf data >> holes && tar --sparse --format=\"$1\" -cf layer.tar holes", dir, format);
        string archive = new CraftedArchive().RawLayer(File.ReadAllBytes(Path.Combine(dir, "layer.tar"))).Write(Path.Combine(dir, "sparse.tar"));
        string output = Path.Combine(RunfExtract.OwnedDir(env, "sparse-out"), "rootfs");

        var result = RunfExtract.Run(env, archive, output);

        Assert.Equal(125, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("is a sparse file (GNU tar --sparse), which runf does not extract; rebuild the layer without --sparse", line);
        Assert.False(Path.Exists(output));
    }

    private static void Checksum(byte[] tar, int header)
    {
        var block = tar.AsSpan(header, 512);
        block.Slice(148, 8).Fill((byte)' ');
        int sum = 0;
        foreach (byte b in block)
        {
            sum += b;
        }
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(block[148..]);
    }

    public void Dispose() => _scratch.Dispose();
}
