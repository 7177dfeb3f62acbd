using RunF.IntegrationTests.Infrastructure;
using RunF.RootfsTools.Tests.Support;
using static RunF.RootfsTools.Tests.Support.CraftedArchive;

namespace RunF.RootfsTools.Tests;

/// <summary>
/// Issues 17 and 18, through the real binary: `rootfs ls` and the summary show each image's
/// platform, an image index picks the host's (or --platform's), extracting an image for another
/// architecture warns in one line, and running what it holds explains the "exec format error".
/// </summary>
[Collection(ImagesCollection.Name)]
public sealed class ArchitectureTests(TestImages images, TestEnvironment env) : IClassFixture<TestEnvironment>
{
    private static readonly Platform Foreign = new("linux", ForeignElf.Architecture, ForeignElf.Architecture == "arm64" ? "v8" : null);

    private string Output(string name) => Path.Combine(RunfExtract.OwnedDir(env, name), "rootfs");

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void AnImageForAnotherArchitectureWarnsOnceAndItsProgramsSayWhy()
    {
        string archive = new CraftedArchive().Layer(w =>
        {
            DirEntry(w, "bin/");
            w.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "bin/hello")
            {
                DataStream = new MemoryStream(ForeignElf.Bytes()),
                Mode = (UnixFileMode)0x1ED,
            });
        }).Write(Path.Combine(env.NewDir("foreign"), "foreign.tar"), platform: Foreign);

        var listed = Runf.Run(env, "rootfs", "ls", archive);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Matches($@"@0 +[0-9a-f]{{12}} +{Foreign} +1 ", listed.Stdout);

        string output = Output("foreign-out");
        var result = RunfExtract.Run(env, archive, output);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = Lines(result.Stderr);
        Assert.Equal(2, lines.Length);
        var warning = Assert.Single(lines, l => l.StartsWith("runf: warning: ", StringComparison.Ordinal));
        Assert.Contains($"image crafted:latest is for {Foreign} but this host is {Platform.Host}", warning);
        Assert.Contains("exec format error", warning);
        Assert.Contains($"skopeo copy --override-arch {Platform.Host.Architecture}", warning);
        Assert.Contains($"extracted crafted:latest (", lines[1]);
        Assert.Contains($", {Foreign}) to {output}", lines[1]);

        var run = Runf.Run(env, "--rootfs", output, "/bin/hello");
        Assert.Equal(126, run.ExitCode);
        Assert.Contains($"/bin/hello is a binary for {Foreign.Architecture} and this host is {Platform.Host.Architecture}", Assert.Single(Lines(run.Stderr)));
    }

    [Fact]
    public void AnImageForThisHostDoesNotWarn()
    {
        string archive = new CraftedArchive().Layer(w => FileEntry(w, "marker")).Write(Path.Combine(env.NewDir("native"), "native.tar"));

        var result = RunfExtract.Run(env, archive, Output("native-out"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($", {Platform.Host}) to ", Assert.Single(Lines(result.Stderr)));
    }

    /// <summary>`skopeo copy --all` of a multi-platform image: the host's is taken, another one on request (with the warning).</summary>
    [Fact]
    public void AnIndexPicksTheHostsPlatformUnlessToldOtherwise()
    {
        string layout = Path.Combine(env.NewDir("multi-platform"), "oci");
        var ids = ArchiveFormats.MultiPlatformLayout(layout, LayoutImage.Read(images["oci"], "kaniko"), "kaniko", Foreign.Architecture, Platform.Host.Architecture);
        Scratch.Run("chmod", "-R", "a+rX", layout);

        var listed = Runf.Run(env, "rootfs", "ls", layout);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Matches($@"^INDEX.*\n@0 +{ids[Platform.Host.Architecture][..12]} +{Platform.Host} +2 .* kaniko\n$", listed.Stdout);
        var listedForeign = Runf.Run(env, "rootfs", "ls", "--platform", $"linux/{Foreign.Architecture}", layout);
        Assert.Matches($@"\n@0 +{ids[Foreign.Architecture][..12]} +linux/{Foreign.Architecture} ", listedForeign.Stdout);

        var native = RunfExtract.Run(env, layout, Output("index-native"));
        Assert.True(native.ExitCode == 0, native.ToString());
        Assert.Contains($"extracted kaniko ({ids[Platform.Host.Architecture][..12]}, {Platform.Host})", Assert.Single(Lines(native.Stderr)));

        var foreign = RunfExtract.Run(env, layout, Output("index-foreign"), extra: ["--platform", $"linux/{Foreign.Architecture}"]);
        Assert.True(foreign.ExitCode == 0, foreign.ToString());
        Assert.Collection(Lines(foreign.Stderr),
            warning => Assert.StartsWith($"runf: warning: image kaniko is for linux/{Foreign.Architecture} ", warning),
            summary => Assert.Contains($"extracted kaniko ({ids[Foreign.Architecture][..12]}, linux/{Foreign.Architecture})", summary));

        var bad = RunfExtract.Run(env, layout, Output("index-bad"), extra: ["--platform", "linux//"]);
        Assert.Equal(125, bad.ExitCode);
        Assert.Contains("invalid --platform \"linux//\"", Assert.Single(Lines(bad.Stderr)));
    }

    /// <summary>An index with no manifest for the host lists all it has, each with its platform, and asks for a choice.</summary>
    [Fact]
    public void AnIndexWithoutTheHostsPlatformAsksForAChoice()
    {
        string layout = Path.Combine(env.NewDir("no-host-platform"), "oci");
        ArchiveFormats.MultiPlatformLayout(layout, LayoutImage.Read(images["oci"], "kaniko"), "kaniko", Foreign.Architecture, "s390x");
        Scratch.Run("chmod", "-R", "a+rX", layout);

        var result = RunfExtract.Run(env, layout, Output("no-host-out"));

        Assert.Equal(125, result.ExitCode);
        var line = Assert.Single(Lines(result.Stderr));
        Assert.Contains("choose one with --image", line);
        Assert.Contains($"(kaniko) linux/{Foreign.Architecture}", line);
        Assert.Contains("(kaniko) linux/s390x", line);
    }
}
