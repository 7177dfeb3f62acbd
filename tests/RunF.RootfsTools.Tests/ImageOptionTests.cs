using RunF.IntegrationTests.Infrastructure;
using RunF.RootfsTools.Tests.Support;
using static RunF.RootfsTools.Tests.Support.CraftedArchive;

namespace RunF.RootfsTools.Tests;

/// <summary>`--image @N`, as `runf rootfs ls` numbers images, through the real binary: "@0" is an image, not a response file.</summary>
[Collection(RunfCollection.Name)]
public sealed class ImageOptionTests(TestEnvironment env)
{
    [Theory]
    [InlineData("--image", "@0")]
    [InlineData("--image=@0")]
    [InlineData("-i", "@0")]
    public void An_image_is_chosen_by_its_number(params string[] option)
    {
        var archive = new CraftedArchive().Layer(w => FileEntry(w, "marker")).Write(Path.Combine(env.NewDir("image-number"), "crafted.tar"));
        var output = Path.Combine(RunfExtract.OwnedDir(env, "image-number-out"), "rootfs");

        var result = RunfExtract.Run(env, archive, output, extra: option);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(Path.Combine(output, "marker")));
    }
}
