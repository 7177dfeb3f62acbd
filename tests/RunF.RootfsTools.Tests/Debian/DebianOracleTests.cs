using RunF.IntegrationTests.Infrastructure;
using RunF.RootfsTools.Tests.Support;

namespace RunF.RootfsTools.Tests.Debian;

/// <summary>
/// A real distribution image (Debian 12 minbase as mmdebstrap writes it, python3 as umoci diffs
/// it, whiteouts on top) in every form a daemonless tool hands it over, extracted by the real
/// binary as the unprivileged test user: the tree must be `umoci unpack --rootless`'s entry by
/// entry, and its owners umoci's; the zstd forms, which umoci cannot read, must be runf's gzip
/// extraction exactly.
/// </summary>
[Collection(DebianCollection.Name)]
public sealed class DebianOracleTests(DebianImage image, TestEnvironment env)
{
    // Created by the extractor for the runtime's mounts (Debian lacks only etc/hosts); the oracle has no such step.
    private static readonly HashSet<string> MountPoints = ["proc", "sys", "dev", "tmp", "etc/resolv.conf", "etc/hosts"];

    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static TheoryData<string> GzipForms => ["docker-archive", "oci-archive", "oci-layout"];

    public static TheoryData<string> ZstdForms => ["oci-archive-zstd", "oci-layout-zstd", "docker-archive-zstd-outer"];

    private string Input(string form) => form switch
    {
        "docker-archive" => image["debian.docker.tar"],
        "oci-archive" => image["debian.oci.tar"],
        "oci-layout" => image["oci"],
        "oci-archive-zstd" => image["debian-zstd.oci.tar"],
        "oci-layout-zstd" => image["oci-zstd"],
        "docker-archive-zstd-outer" => image["debian.docker.tar.zst"],
        _ => throw new ArgumentOutOfRangeException(nameof(form)),
    };

    /// <summary>Extracts form into a fresh directory of the test user, runs check on it, removes it.</summary>
    private void Extracted(string form, Action<string, RunResult> check)
    {
        string parent = RunfExtract.OwnedDir(env, "debian-" + form);
        try
        {
            string output = Path.Combine(parent, "rootfs");
            var result = RunfExtract.Run(env, Input(form), output);
            Assert.True(result.ExitCode == 0, $"{form}: {result}");
            Assert.Contains(" 3 layers, ", result.Stderr);
            check(output, result);
        }
        finally
        {
            Scratch.Run("rm", "-rf", parent);
        }
    }

    /// <summary>What the other tests compare is worth comparing: the oracle holds what real images hold.</summary>
    [DebianFact]
    public void TheImageHoldsWhatRealImagesHold()
    {
        var tree = image.OracleSnapshot;
        Assert.True(tree.Count > 9000, $"only {tree.Count} entries");
        Assert.True(tree.Keys.Count(p => p.StartsWith("var/lib/dpkg/info/", StringComparison.Ordinal)) > 500, "dpkg's database is missing");
        Assert.StartsWith("file 4755 ", tree["usr/bin/passwd"]);
        Assert.StartsWith("file 2755 ", tree["usr/bin/chage"]);
        Assert.Equal("symlink -> usr/bin", tree["bin"]);
        Assert.Equal("symlink -> python3.11", tree["usr/bin/python3"]);
        // Hardlinks: a pair across a layer 1 file, and one whose partner layer 3 deleted.
        Assert.EndsWith(" link-group=usr/bin/perlbug", tree["usr/bin/perlthanks"]);
        Assert.DoesNotContain("link-group", tree["usr/bin/perl"]);
        Assert.False(tree.ContainsKey("usr/bin/perl5.36.0"));
        Assert.False(tree.ContainsKey("etc/issue.net"));
        Assert.True(tree.ContainsKey("etc/issue"));
        Assert.Equal(["usr/share/doc/README"], tree.Keys.Where(p => p.StartsWith("usr/share/doc/", StringComparison.Ordinal)));
        Assert.EndsWith($" xattrs=user.runf.note:{Convert.ToHexStringLower("kept by umoci and runf"u8)}", tree["usr/share/doc/README"]);
        Assert.Equal("fifo 620", tree["var/spool/runf.fifo"]);
        Assert.Equal("symlink -> ../lib/chain/0", tree["usr/local/bin/py"]);
        // mmdebstrap's real device nodes, which umoci replaces with empty files.
        Assert.Superset(new HashSet<string> { "dev/null", "dev/zero", "dev/full", "dev/random", "dev/urandom", "dev/tty", "dev/console", "dev/ptmx" }, (HashSet<string>)image.Devices);
        Assert.All(image.Devices, d => Assert.Equal($"file 666 size=0 sha256={EmptySha256}", tree[d]));
        Assert.Equal("0:42", image.OracleOwners["etc/shadow"]);
        Assert.Equal("0:8", image.OracleOwners["var/mail"]);
        Assert.Equal("42:0", image.OracleOwners["var/lib/apt/lists/partial"]);
    }

    [DebianTheory]
    [MemberData(nameof(GzipForms))]
    public void ExtractionMatchesUmoci(string form) => Extracted(form, (output, result) =>
    {
        // runf skips device nodes (the runtime mounts its own /dev) and says how many.
        Assert.Contains($", {image.Devices.Count} device nodes skipped", result.Stderr);
        var expected = new SortedDictionary<string, string>(image.OracleSnapshot, StringComparer.Ordinal);
        foreach (var device in image.Devices)
        {
            expected.Remove(device);
        }
        string diff = TreeSnapshot.Diff(expected, TreeSnapshot.Take(output), MountPoints);
        Assert.True(diff.Length == 0, $"{form} differs from umoci:\n{diff}");

        string owners = TreeSnapshot.Diff(image.OracleOwners, Owners.FromSidecar(output));
        Assert.True(owners.Length == 0, $"{form}: the owners in {OwnershipFile.PathFor(output)} differ from umoci's:\n{owners}");
        foreach (var path in (string[])["", "etc/shadow", "usr/bin/passwd", "var/mail"])
        {
            Assert.Equal($"{TestEnvironment.TestUid}:{TestEnvironment.TestUid}", Scratch.Run("stat", "-c", "%u:%g", Path.Combine(output, path)).Trim());
        }
    });

    [DebianTheory]
    [MemberData(nameof(ZstdForms))]
    public void ZstdExtractionMatchesTheGzipOne(string form) => Extracted(form, (output, _) =>
    {
        string reference = image.Reference(env);
        string diff = TreeSnapshot.Diff(image.ReferenceSnapshot(env), TreeSnapshot.Take(output));
        Assert.True(diff.Length == 0, $"{form} differs from the gzip OCI archive's extraction:\n{diff}");
        Assert.Equal(File.ReadAllText(OwnershipFile.PathFor(reference)), File.ReadAllText(OwnershipFile.PathFor(output)));
        Assert.Equal(File.ReadAllText(ImageConfigFile.PathFor(reference)), File.ReadAllText(ImageConfigFile.PathFor(output)));
    });
}
