using RunF.RootfsTools.Tests.Support;

namespace RunF.RootfsTools.Tests;

/// <summary>
/// Every archive format, built from the same umoci image, must extract to exactly what
/// `umoci unpack --rootless` made of it.
/// </summary>
[Collection(ImagesCollection.Name)]
public sealed class OracleTests(TestImages images) : IDisposable
{
    // Created by the extractor for the runtime's mounts; the oracle has no such step.
    private static readonly HashSet<string> MountPoints = ["proc", "sys", "dev", "tmp", "etc/resolv.conf", "etc/hosts"];

    private readonly Scratch _scratch = new();

    public static TheoryData<string> MultiFormats =>
    [
        "skopeo-docker-archive", "skopeo-oci-archive", "skopeo-oci-archive-zstd", "legacy-docker-save",
        "docker25", "containerd-export", "containerd-export-zstd", "ggcr", "gzip-outer", "stdin",
    ];

    private string Archive(string format)
    {
        string path = _scratch[format + ".tar"];
        var multi = LayoutImage.Read(images["oci"], "multi");
        switch (format)
        {
            case "skopeo-docker-archive" or "stdin":
                return images["multi.docker.tar"];
            case "skopeo-oci-archive":
                return images["multi.oci.tar"];
            case "skopeo-oci-archive-zstd":
                return images["multi-zstd.oci.tar"];
            case "legacy-docker-save":
                ArchiveFormats.LegacyDockerSave(path, (multi, "example.com/test/multi:latest"));
                break;
            case "docker25":
                ArchiveFormats.Docker25(path, brokenIndex: true, (multi, "example.com/test/multi:latest"));
                break;
            case "containerd-export":
                ArchiveFormats.ContainerdExport(path, multi, "example.com/test/multi:latest");
                break;
            case "containerd-export-zstd":
                ArchiveFormats.ContainerdExport(path, LayoutImage.Read(images["oci-zstd"], "multi"), "example.com/test/multi:latest");
                break;
            case "ggcr":
                ArchiveFormats.Ggcr(path, multi, "example.com/test/multi:latest");
                break;
            case "gzip-outer":
                ArchiveFormats.Gzip(images["multi.docker.tar"], path);
                break;
        }
        return path;
    }

    [Theory]
    [MemberData(nameof(MultiFormats))]
    public async Task ExtractMatchesUmoci(string format)
    {
        string output = _scratch["rootfs"];
        ExtractResult result;
        if (format == "stdin")
        {
            // Stdin of this process cannot be replaced, so the spooling path is driven by the
            // same code the CLI uses for "-" through a pipe opened as a file.
            using var pipe = new Scratch();
            string fifo = pipe["stdin.fifo"];
            Scratch.Run("mkfifo", fifo);
            var feeder = Task.Run(() => File.WriteAllBytes(fifo, File.ReadAllBytes(images["multi.docker.tar"])));
            result = RootfsExtractor.Extract(new ExtractOptions(fifo, output), CancellationToken.None);
            await feeder;
        }
        else
        {
            result = RootfsExtractor.Extract(new ExtractOptions(Archive(format), output), CancellationToken.None);
        }

        string diff = TreeSnapshot.Diff(TreeSnapshot.Take(images.Oracle("multi")), TreeSnapshot.Take(output), MountPoints);
        Assert.True(diff.Length == 0, $"{format} differs from umoci:\n{diff}");
        Assert.Equal(4, result.Stats.Layers);

        var config = ImageConfigFile.TryLoad(output);
        Assert.NotNull(config);
        Assert.Equal(["/bin/echo"], config.Entrypoint!);
        Assert.Equal(["hi"], config.Cmd!);
        Assert.Contains("GREETING=hello", config.Env);
        Assert.Equal("/srv", config.WorkingDir);
        Assert.Equal("1000:1000", config.User);
        Assert.Equal(["8080/tcp"], config.ExposedPorts);
        Assert.Equal("multi", config.Labels["org.example"]);
    }

    public static TheoryData<string, string, string> Selections => new()
    {
        { "legacy", "example.com/test/second", "second" },
        { "legacy", "example.com/test/multi:latest", "multi" },
        { "legacy", "@1", "second" },
        { "docker25", "@0", "multi" },
        { "docker25", "example.com/test/second:latest", "second" },
    };

    [Theory]
    [MemberData(nameof(Selections))]
    public void TwoImagesInOneArchive(string format, string choice, string expected)
    {
        var multi = LayoutImage.Read(images["oci"], "multi");
        var second = LayoutImage.Read(images["oci"], "second");
        string archive = _scratch["two.tar"];
        if (format == "legacy")
        {
            ArchiveFormats.LegacyDockerSave(archive, (multi, "example.com/test/multi:latest"), (second, "example.com/test/second:latest"));
        }
        else
        {
            ArchiveFormats.Docker25(archive, brokenIndex: false, (multi, "example.com/test/multi:latest"), (second, "example.com/test/second:latest"));
        }

        var listed = RootfsExtractor.List(archive, null, CancellationToken.None);
        Assert.Equal(2, listed.Count);
        Assert.Equal(second.ConfigHex, listed[1].Id);

        var error = Assert.Throws<RootfsException>(() => RootfsExtractor.Extract(new ExtractOptions(archive, _scratch["none"]), CancellationToken.None));
        Assert.Contains("choose one with --image", error.Message);
        Assert.Contains("example.com/test/second:latest", error.Message);
        Assert.False(Directory.Exists(_scratch["none"]));

        string output = _scratch["rootfs"];
        RootfsExtractor.Extract(new ExtractOptions(archive, output) { Image = choice }, CancellationToken.None);
        string diff = TreeSnapshot.Diff(TreeSnapshot.Take(images.Oracle(expected)), TreeSnapshot.Take(output), MountPoints);
        Assert.True(diff.Length == 0, $"{choice} differs from umoci's {expected}:\n{diff}");
    }

    [Fact]
    public void SelectsByIdPrefix()
    {
        var second = LayoutImage.Read(images["oci"], "second");
        string archive = _scratch["two.tar"];
        ArchiveFormats.LegacyDockerSave(archive, (LayoutImage.Read(images["oci"], "multi"), "multi:1"), (second, "second:1"));
        string output = _scratch["rootfs"];
        var result = RootfsExtractor.Extract(new ExtractOptions(archive, output) { Image = "sha256:" + second.ConfigHex[..10] }, CancellationToken.None);
        Assert.Equal(second.ConfigHex, result.Image.Id);
        Assert.True(File.Exists(Path.Combine(output, "etc/second")));
    }

    public void Dispose() => _scratch.Dispose();
}
