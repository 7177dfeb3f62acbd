using RunF.IntegrationTests.Infrastructure;
using RunF.RootfsTools.Tests.Support;

namespace RunF.RootfsTools.Tests;

/// <summary>
/// Issue 18: layer entry names, link targets and PAX paths are bytes end to end. Before, every
/// name that was not UTF-8 became U+FFFD, so "caf\xe9" (Latin-1) and "caf\xff" collided into one
/// file. The layers are written by Python's tarfile (surrogateescape) in each header format that
/// carries a name, extracted by the real binary as the test user, and compared byte for byte
/// with `umoci unpack --rootless` of the same layers.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class NameBytesTests(TestEnvironment env)
{
    private static readonly HashSet<string> MountPoints = ["b'proc'", "b'sys'", "b'dev'", "b'tmp'", "b'etc'", "b'etc/resolv.conf'", "b'etc/hosts'"];

    // Layer 1 in GNU format (names over 100 bytes as 'L' and 'K' records), layer 2 in PAX format
    // (non-UTF-8 names as path/linkpath records with hdrcharset=BINARY), layer 3 removes one of
    // the two names that .NET used to merge.
    private const string Layers = """
        import io, sys, tarfile
        def add(t, name, kind=tarfile.REGTYPE, data=b"", link="", uid=0):
            i = tarfile.TarInfo(name); i.type = kind; i.mode = 0o644; i.mtime = 1700000000; i.linkname = link; i.uid = i.gid = uid
            if kind == tarfile.REGTYPE: i.size = len(data); t.addfile(i, io.BytesIO(data))
            else: t.addfile(i)
        def layer(path, fmt, entries):
            with tarfile.open(path, "w", format=fmt, encoding="utf-8", errors="surrogateescape") as t:
                for e in entries: add(t, *e)
        u = lambda b: b.decode("utf-8", "surrogateescape")
        long = "d" * 120
        layer(sys.argv[1], tarfile.GNU_FORMAT, [
            (u(b"caf\xe9"), tarfile.REGTYPE, b"latin-1\n", "", 1000),
            (u(b"caf\xff"), tarfile.REGTYPE, b"differs only in its invalid byte\n"),
            (u(b"caf\xc3\xa9"), tarfile.REGTYPE, b"utf-8\n"),
            (u(b"link-to-latin1"), tarfile.SYMTYPE, b"", u(b"caf\xe9")),
            (u(b"hard-to-latin1"), tarfile.LNKTYPE, b"", u(b"caf\xe9")),
            (long + u(b"/\xfe-gnu-long-name"), tarfile.REGTYPE, b"gnu long\n"),
            (u(b"long-link"), tarfile.SYMTYPE, b"", long + u(b"/\xfd-gnu-long-link")),
        ])
        layer(sys.argv[2], tarfile.PAX_FORMAT, [
            (u(b"pax-\x80\x81"), tarfile.REGTYPE, b"pax path\n"),
            (u(b"pax-link"), tarfile.SYMTYPE, b"", u(b"target-\xa0")),
            (u(b"pax-dir-\xe9/"), tarfile.DIRTYPE),
            (u(b"pax-dir-\xe9/inner"), tarfile.REGTYPE, b"in a pax dir\n"),
        ])
        layer(sys.argv[3], tarfile.PAX_FORMAT, [(u(b".wh.caf\xff"), tarfile.REGTYPE, b"")])
        """;

    // Each path as Python's bytes repr (ASCII, every byte exact), with type, mode, size, content and target.
    private const string Snapshot = """
        import hashlib, os, stat, sys
        root = os.fsencode(sys.argv[1])
        for dirpath, dirs, files in os.walk(root):
            for name in sorted(dirs + files):
                full = os.path.join(dirpath, name); st = os.lstat(full); rel = os.path.relpath(full, root)
                if stat.S_ISLNK(st.st_mode): what = "symlink -> " + repr(os.readlink(full))
                elif stat.S_ISDIR(st.st_mode): what = "dir %o" % stat.S_IMODE(st.st_mode)
                else: what = "file %o %d %s links=%d" % (stat.S_IMODE(st.st_mode), st.st_size, hashlib.sha256(open(full, "rb").read()).hexdigest()[:16], st.st_nlink)
                print(repr(rel), what)
        """;

    [Fact]
    public void NamesLinkTargetsAndPaxPathsKeepTheirBytes()
    {
        string dir = env.NewDir("name-bytes");
        string[] layers = [Path.Combine(dir, "gnu.tar"), Path.Combine(dir, "pax.tar"), Path.Combine(dir, "whiteout.tar")];
        Scratch.Run("python3", ["-c", Layers, .. layers]);
        string layout = Path.Combine(dir, "oci");
        Scratch.Run("umoci", "init", "--layout", layout);
        Scratch.Run("umoci", "new", "--image", layout + ":bytes");
        foreach (var layer in layers)
        {
            Scratch.Run("umoci", "raw", "add-layer", "--image", layout + ":bytes", layer);
        }
        string archive = Path.Combine(dir, "bytes.docker.tar");
        Scratch.Run("skopeo", "copy", "-q", $"oci:{layout}:bytes", $"docker-archive:{archive}:bytes:latest");
        string oracle = Path.Combine(dir, "oracle");
        Scratch.Run("umoci", "unpack", "--rootless", "--image", layout + ":bytes", oracle);
        Scratch.Run("chmod", "-R", "a+rX", layout, archive);
        var expected = Take(Path.Combine(oracle, "rootfs"));
        // The two names .NET merged, one of them removed by the whiteout: the other must be there.
        Assert.Contains(expected, line => line.StartsWith(@"b'caf\xe9' file 644 8 ", StringComparison.Ordinal));
        Assert.DoesNotContain(expected, line => line.StartsWith(@"b'caf\xff'", StringComparison.Ordinal));

        foreach (var (source, extra) in new[] { (archive, Array.Empty<string>()), (layout, ["--image", "bytes"]) })
        {
            string output = Path.Combine(RunfExtract.OwnedDir(env, "name-bytes-out"), "rootfs");
            var result = RunfExtract.Run(env, source, output, extra: extra);
            Assert.True(result.ExitCode == 0, result.ToString());

            var actual = Take(output).Where(line => !MountPoints.Contains(line[..line.IndexOf(' ')])).ToArray();
            Assert.Equal(expected, actual);
            // Owners are kept under the same bytes.
            Assert.Equal(@"b'1000:1000 caf\xe9\n'", Scratch.Run("python3", "-c", "import sys; print(repr(open(sys.argv[1], 'rb').read()))", OwnershipFile.PathFor(output)).Trim());
        }
    }

    /// <summary>Before the whiteout layer, both names are there: two files, not one.</summary>
    [Fact]
    public void TwoNamesThatDifferOnlyInInvalidBytesAreTwoFiles()
    {
        string dir = env.NewDir("two-names");
        string[] layers = [Path.Combine(dir, "gnu.tar"), Path.Combine(dir, "pax.tar"), Path.Combine(dir, "whiteout.tar")];
        Scratch.Run("python3", ["-c", Layers, .. layers]);
        string archive = new CraftedArchive().RawLayer(File.ReadAllBytes(layers[0])).Write(Path.Combine(dir, "gnu-only.tar"));
        string output = Path.Combine(RunfExtract.OwnedDir(env, "two-names-out"), "rootfs");

        var result = RunfExtract.Run(env, archive, output);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(" 4 files,", result.Stderr);
        // ls's bytes, shown by Python's repr: Latin-1 é, \xff and UTF-8 é are three names.
        string listing = Scratch.Run("sh", "-c", "ls \"$0\" | python3 -c 'import sys; print(repr(sys.stdin.buffer.read()))'", output);
        Assert.StartsWith(@"b'caf\xc3\xa9\ncaf\xe9\ncaf\xff\n", listing);
    }

    private static string[] Take(string root) =>
        Scratch.Run("python3", "-c", Snapshot, root).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
