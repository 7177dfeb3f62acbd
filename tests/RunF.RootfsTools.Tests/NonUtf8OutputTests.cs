using RunF.IntegrationTests.Infrastructure;
using RunF.RootfsTools.Tests.Support;
using static RunF.RootfsTools.Tests.Support.CraftedArchive;

namespace RunF.RootfsTools.Tests;

/// <summary>
/// `-o DIR` is bytes: an output name that is not UTF-8 is the directory written, with its
/// sidecars beside it under the same bytes (before, .NET's argv turned \xff into U+FFFD and runf
/// wrote "out\xef\xbf\xbd"). Bash passes the name, since .NET's ProcessStartInfo cannot.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class NonUtf8OutputTests(TestEnvironment env)
{
    [Fact]
    public void An_output_name_that_is_not_utf8_is_the_directory_written()
    {
        string parent = RunfExtract.OwnedDir(env, "bytes-out");
        string archive = new CraftedArchive().Layer(w => FileEntry(w, "hello", "hi")).Write(Path.Combine(env.NewDir("archive"), "crafted.tar"));

        using var p = Runf.Start(env, ["-c", """
            "$0" rootfs extract "$1" -o "$2"/$'out\xff' 2>/dev/null && ls "$2" | od -An -tx1 && cat "$2"/$'out\xff'/hello
            """, env.Runf, archive, parent], program: "/bin/bash");
        p.StandardInput.Close();
        var result = RunfExtract.Finish(p);
        string stdout = result.Stdout;

        Assert.True(result.ExitCode == 0, result.ToString());
        string hex = string.Join(' ', stdout[..stdout.LastIndexOf('\n', stdout.Length - 2)].Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        // out\xff, out\xff.image.json, out\xff.owners
        Assert.Equal("6f 75 74 ff 0a 6f 75 74 ff 2e 69 6d 61 67 65 2e 6a 73 6f 6e 0a 6f 75 74 ff 2e 6f 77 6e 65 72 73 0a", hex);
        Assert.EndsWith("hi", stdout);
        Scratch.Run("rm", "-rf", parent);
    }
}
