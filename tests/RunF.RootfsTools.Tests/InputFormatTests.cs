using RunF.IntegrationTests.Infrastructure;
using RunF.RootfsTools.Tests.Support;

namespace RunF.RootfsTools.Tests;

/// <summary>
/// Issue 18's inputs, through the real binary as the unprivileged test user: kaniko's layers
/// (a "/" entry, absolute names), an OCI layout directory as skopeo writes it, and outer archives
/// compressed as `docker save | zstd` (or gzip, bzip2, xz) leaves them. Each extraction must
/// match `umoci unpack --rootless` of the same image.
/// </summary>
[Collection(ImagesCollection.Name)]
public sealed class InputFormatTests(TestImages images, TestEnvironment env) : IClassFixture<TestEnvironment>
{
    private static readonly HashSet<string> MountPoints = ["proc", "sys", "dev", "tmp", "etc/resolv.conf", "etc/hosts"];

    private string Output(string name) => Path.Combine(RunfExtract.OwnedDir(env, name), "rootfs");

    private void AssertMatchesUmoci(string tag, string output, string what)
    {
        string diff = TreeSnapshot.Diff(TreeSnapshot.Take(images.Oracle(tag)), TreeSnapshot.Take(output), MountPoints);
        Assert.True(diff.Length == 0, $"{what} differs from umoci:\n{diff}");
    }

    public static TheoryData<string> KanikoForms => ["ggcr", "docker-archive", "oci-archive", "oci-layout"];

    [Theory]
    [MemberData(nameof(KanikoForms))]
    public void KanikoLayersExtractAsUmociUnpacksThem(string form)
    {
        string dir = env.NewDir("kaniko");
        string archive = form switch
        {
            "ggcr" => Path.Combine(dir, "kaniko.tar"),
            "docker-archive" => images["kaniko.docker.tar"],
            "oci-archive" => images["kaniko.oci.tar"],
            _ => images["oci"],
        };
        if (form == "ggcr")
        {
            // kaniko --tar-path writes go-containerregistry's tarball.
            ArchiveFormats.Ggcr(archive, LayoutImage.Read(images["oci"], "kaniko"), "example.com/test/kaniko:latest");
        }
        string output = Output("kaniko-out");

        var result = RunfExtract.Run(env, archive, output, extra: form == "oci-layout" ? ["--image", "kaniko"] : []);

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertMatchesUmoci("kaniko", output, form);
        // "/" set the root's metadata: 0755 as the image says (never group or other writable).
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(output));
        Assert.True(File.Exists(Path.Combine(output, "etc", "os-release")), "//etc//os-release lands beneath the root");
        Assert.Equal(TreeSnapshot.Stat(Path.Combine(output, "etc", "passwd")).Ino, TreeSnapshot.Stat(Path.Combine(output, "etc", "passwd-")).Ino);
    }

    [Fact]
    public void AnOciLayoutWrittenBySkopeoIsAnInput()
    {
        string layout = Path.Combine(env.NewDir("layout"), "oci");
        Scratch.Run("skopeo", "copy", "-q", "oci-archive:" + images["multi.oci.tar"], $"oci:{layout}:multi");
        Scratch.Run("skopeo", "copy", "-q", "oci-archive:" + images["second.oci.tar"], $"oci:{layout}:second");
        Scratch.Run("chmod", "-R", "a+rX", layout);

        var listed = Runf.Run(env, "rootfs", "ls", layout);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Matches($@"@0 +[0-9a-f]{{12}} +{Platform.Host} +4 .* multi\n@1 +[0-9a-f]{{12}} +{Platform.Host} +1 .* second", listed.Stdout);

        string output = Output("layout-out");
        var result = RunfExtract.Run(env, layout, output, extra: ["--image", "multi"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"extracted multi (", result.Stderr);
        AssertMatchesUmoci("multi", output, "skopeo's oci layout");

        var unchosen = RunfExtract.Run(env, layout, Output("layout-none"));
        Assert.Equal(125, unchosen.ExitCode);
        Assert.Contains("choose one with --image", unchosen.Stderr);
    }

    [Fact]
    public void ADirectoryThatIsNoLayoutIsOneLine()
    {
        var result = RunfExtract.Run(env, env.NewDir("not-a-layout"), Output("no-layout-out"));
        Assert.Equal(125, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("is not an OCI image layout (it has no index.json)", line);
    }

    public static TheoryData<string, string> Compressors => new()
    {
        { "zstd", "zstd -q -c" },
        { "gzip", "gzip -c" },
        { "bzip2", "bzip2 -c" },
        { "xz", "xz -T1 -c" },
    };

    /// <summary>`docker save IMAGE | zstd | runf rootfs extract - -o DIR`, and the same from a file: docker load reads all four.</summary>
    [Theory]
    [MemberData(nameof(Compressors))]
    public void ACompressedOuterArchiveIsAnInput(string name, string compressor)
    {
        string compressed = Path.Combine(env.NewDir("compressed"), "multi.tar." + name);
        Scratch.Run("sh", "-c", $"{compressor} < \"$0\" > \"$1\"", images["multi.docker.tar"], compressed);
        File.SetUnixFileMode(compressed, (UnixFileMode)0x1A4);

        string fromFile = Output("compressed-file");
        var result = RunfExtract.Run(env, compressed, fromFile);
        Assert.True(result.ExitCode == 0, result.ToString());
        AssertMatchesUmoci("multi", fromFile, name + " file");

        string fromStdin = Output("compressed-stdin");
        using (var p = RunfExtract.Start(env, "-", fromStdin))
        {
            using (var input = File.OpenRead(compressed))
            {
                input.CopyTo(p.StandardInput.BaseStream);
            }
            p.StandardInput.Close();
            result = RunfExtract.Finish(p);
        }
        Assert.True(result.ExitCode == 0, result.ToString());
        AssertMatchesUmoci("multi", fromStdin, name + " on stdin");
    }

    [Theory]
    [MemberData(nameof(Compressors))]
    public void ATruncatedCompressedArchiveIsOneLine(string name, string compressor)
    {
        string dir = env.NewDir("truncated");
        string compressed = Path.Combine(dir, "multi.tar." + name);
        Scratch.Run("sh", "-c", $"{compressor} < \"$0\" | head -c 20000 > \"$1\"", images["multi.docker.tar"], compressed);
        File.SetUnixFileMode(compressed, (UnixFileMode)0x1A4);
        string output = Output("truncated-out");

        var result = RunfExtract.Run(env, compressed, output);

        Assert.Equal(125, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"runf: archive {compressed}", line);
        // .NET's gzip stream ends quietly where its input does: the tar inside is found truncated.
        Assert.Contains(name == "gzip" ? " is truncated: member " : $": corrupt or truncated {name} compression", line);
        Assert.False(Path.Exists(output));
    }
}
