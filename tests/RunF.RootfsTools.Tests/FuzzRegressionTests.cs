using System.Formats.Tar;
using System.Text;
using RunF.IntegrationTests.Infrastructure;
using RunF.RootfsTools.Tests.Support;
using static RunF.RootfsTools.Tests.Support.CraftedArchive;

namespace RunF.RootfsTools.Tests;

/// <summary>
/// What the fuzz targets (tests/RunF.Fuzz) found in the extractor, each as the input that
/// found it: a refusal in one line, never a .NET exception.
/// </summary>
public sealed class FuzzRegressionTests : IDisposable
{
    private readonly Scratch _scratch = new();

    internal const int Atime = 345, Mtime = 136;

    public void Dispose() => _scratch.Dispose();

    /// <summary>
    /// A GNU tar whose first header's atime (or mtime) is a base-256 number too large for a long:
    /// TarReader throws OverflowException on it (found by the layer target, in a mutated GNU
    /// long-name layer). The layers' own reader ignores atime, so the layer tests put it in mtime.
    /// </summary>
    internal static byte[] OverflowingGnuTime(string name = "etc/", TarEntryType type = TarEntryType.Directory, byte[]? data = null, int field = Atime)
    {
        var tar = new MemoryStream();
        using (var w = new TarWriter(tar, TarEntryFormat.Gnu, leaveOpen: true))
        {
            var entry = new GnuTarEntry(type, name) { Mode = (UnixFileMode)0x1ED };
            if (data is not null)
            {
                entry.DataStream = new MemoryStream(data);
            }
            w.WriteEntry(entry);
        }
        byte[] bytes = tar.ToArray();
        const int Checksum = 148;
        bytes[field] = 0x80;
        bytes.AsSpan(field + 1, 11).Fill(0xFF);
        bytes.AsSpan(Checksum, 8).Fill((byte)' ');
        int sum = 0;
        foreach (byte b in bytes.AsSpan(0, 512))
        {
            sum += b;
        }
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(bytes, Checksum);
        return bytes;
    }

    [Fact]
    public void A_layer_header_with_an_overflowing_number_is_refused_naming_the_layer()
    {
        string path = new CraftedArchive().RawLayer(OverflowingGnuTime(field: Mtime)).Write(_scratch["crafted.tar"]);

        var error = Assert.Throws<RootfsException>(() =>
            RootfsExtractor.Extract(new ExtractOptions(path, _scratch["out"]), CancellationToken.None));

        Assert.StartsWith("layer 1 (layer0/layer.tar) is not a valid tar", error.Message);
        Assert.False(Path.Exists(_scratch["out"]));
    }

    [Fact]
    public void An_archive_header_with_an_overflowing_number_is_refused_naming_the_archive()
    {
        string path = _scratch["crafted.tar"];
        File.WriteAllBytes(path, OverflowingGnuTime("manifest.json", TarEntryType.RegularFile, "[]"u8.ToArray()));

        var error = Assert.Throws<RootfsException>(() => RootfsExtractor.List(path, null, CancellationToken.None));

        Assert.Equal($"archive {path} is not a valid tar archive or is truncated", error.Message[..error.Message.IndexOf(" (", StringComparison.Ordinal)]);
    }

    [Theory]
    [InlineData("""{"config":{"Env":["A=1",null],"Cmd":["sh"]},"rootfs":{"diff_ids":[]}}""", "config.Env[1]")]
    [InlineData("""{"config":{"Entrypoint":[null]},"rootfs":{"diff_ids":[]}}""", "config.Entrypoint[0]")]
    [InlineData("""{"config":{"Cmd":["sh",null]},"rootfs":{"diff_ids":[]}}""", "config.Cmd[1]")]
    public void An_image_config_with_a_null_in_a_command_or_environment_is_refused_before_any_layer(string config, string field)
    {
        // Saved as it was, the null made `runf --rootfs DIR` fail with a NullReferenceException (image-config target).
        string path = new CraftedArchive().Layer(w => FileEntry(w, "marker")).Write(_scratch["crafted.tar"], configJson: config);

        var error = Assert.Throws<RootfsException>(() =>
            RootfsExtractor.Extract(new ExtractOptions(path, _scratch["out"]), CancellationToken.None));

        Assert.EndsWith($": {field} is null; the image is malformed", error.Message);
        Assert.StartsWith("the config of image ", error.Message);
        Assert.False(Path.Exists(_scratch["out"]));
    }
}

/// <summary>The same through the real binary: the exit code and the one line the user reads.</summary>
[Collection(RunfCollection.Name)]
public sealed class FuzzRegressionBinaryTests(TestEnvironment env)
{
    [Fact]
    public void A_layer_header_with_an_overflowing_number_is_one_line_and_exit_125()
    {
        string archive = new CraftedArchive().RawLayer(FuzzRegressionTests.OverflowingGnuTime(field: FuzzRegressionTests.Mtime)).Write(Path.Combine(env.NewDir("fuzz-overflow"), "crafted.tar"));
        string output = Path.Combine(RunfExtract.OwnedDir(env, "fuzz-overflow-out"), "rootfs");

        var result = RunfExtract.Run(env, archive, output);

        Assert.True(result.ExitCode == 125, result.ToString());
        Assert.StartsWith("runf: layer 1 (layer0/layer.tar) is not a valid tar", result.Stderr);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
    }
}
