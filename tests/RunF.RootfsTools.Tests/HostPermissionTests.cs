using System.Formats.Tar;
using RunF.IntegrationTests.Infrastructure;
using RunF.RootfsTools.Tests.Support;
using static RunF.RootfsTools.Tests.Support.CraftedArchive;

namespace RunF.RootfsTools.Tests;

/// <summary>
/// Issue 4, through the real binary as the unprivileged test user: an extracted rootfs is a
/// directory on the host, and what the extraction makes there must not be writable by another
/// local user, whatever the image or the caller's umask says. The image's mode of its root is
/// kept in the ownership sidecar.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class HostPermissionTests(TestEnvironment env)
{
    private const UnixFileMode GroupOrOtherWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    [Theory]
    [InlineData("./")]
    [InlineData("/")]
    [InlineData(".")]
    public void AWorldWritableRootIsNotWorldWritableOnTheHost(string rootName)
    {
        string parent = RunfExtract.OwnedDir(env, "host-mode");
        string archive = new CraftedArchive().Layer(w =>
        {
            DirEntry(w, rootName, 0x1FF);
            // Parents the layer does not list are made by the extractor.
            FileEntry(w, "implicit/parents/file");
            DirEntry(w, "shared/", 0x3FF);
        }).Write(Path.Combine(env.NewDir("archive"), "crafted.tar"));
        string output = Path.Combine(parent, "rootfs");

        // umask 0: nothing may depend on the caller's umask to stay private.
        var result = RunfExtract.Run(env, archive, output, umask: "0");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(output));
        Assert.Equal("mode=0777 /\n", File.ReadAllText(OwnershipFile.PathFor(output)));
        string[] made = ["", "implicit", "implicit/parents", "proc", "sys", "dev", "tmp", "etc"];
        foreach (var path in made.Select(p => Path.Combine(output, p)).Append(OwnershipFile.PathFor(output)).Append(ImageConfigFile.PathFor(output)))
        {
            Assert.True((File.GetUnixFileMode(path) & GroupOrOtherWrite) == 0, $"{path} is {File.GetUnixFileMode(path)}");
        }
        // What the image sets inside its root stays as it is.
        Assert.Equal((UnixFileMode)0x3FF, File.GetUnixFileMode(Path.Combine(output, "shared")));
    }

    /// <summary>A root the host may show as it is needs no mode line; its owner's line names it "/".</summary>
    [Fact]
    public void APrivateRootGetsNoModeLine()
    {
        string parent = RunfExtract.OwnedDir(env, "host-mode");
        string archive = new CraftedArchive().Layer(w =>
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./") { Mode = (UnixFileMode)0x1ED, Uid = 7, Gid = 8 });
            FileEntry(w, "file");
        }).Write(Path.Combine(env.NewDir("archive"), "crafted.tar"));
        string output = Path.Combine(parent, "rootfs");

        var result = RunfExtract.Run(env, archive, output);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(output));
        Assert.Equal("7:8 /\n", File.ReadAllText(OwnershipFile.PathFor(output)));
    }

    /// <summary>
    /// The tree is built in the work directory and moved into place, which an unprivileged
    /// owner may do with a directory only while it can write it; --force moves the old tree out
    /// the same way.
    /// </summary>
    [Fact]
    public void AReadOnlyRootIsMovedIntoPlaceAndReplacedWithForce()
    {
        string parent = RunfExtract.OwnedDir(env, "host-mode");
        string archive = new CraftedArchive().Layer(w =>
        {
            FileEntry(w, "file");
            DirEntry(w, "./", 0x16D);
        }).Write(Path.Combine(env.NewDir("archive"), "crafted.tar"));
        string output = Path.Combine(parent, "rootfs");

        var first = RunfExtract.Run(env, archive, output);
        var second = RunfExtract.Run(env, archive, output, force: true);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal((UnixFileMode)0x16D, File.GetUnixFileMode(output));
        Assert.Equal(["rootfs", "rootfs.image.json", "rootfs.owners"], RunfExtract.Entries(parent));
    }
}
