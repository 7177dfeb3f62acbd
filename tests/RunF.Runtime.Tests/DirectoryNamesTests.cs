using RunF.Runtime.Errors;
using RunF.Runtime.IO;

namespace RunF.Runtime.Tests;

/// <summary>The getdents64 listing a run uses instead of .NET's file system enumerator.</summary>
public sealed class DirectoryNamesTests : TempDirectoryTest
{
    [Fact]
    public void Lists_every_regular_file_across_several_reads()
    {
        // 300 names of ~60 bytes fill more than one 8 KiB getdents64 buffer.
        var files = Enumerable.Range(0, 300).Select(i => $"container-{i:D4}-{new string('x', 40)}.json").Append("é-ü.json").ToHashSet();
        foreach (var name in files)
        {
            File.WriteAllText(Path.Combine(Dir, name), "");
        }
        Directory.CreateDirectory(Path.Combine(Dir, "sub.json"));
        File.CreateSymbolicLink(Path.Combine(Dir, "link.json"), "/etc/hostname");

        var names = DirectoryNames.FilesIn(Dir);

        Assert.Equal(files.Count, names.Count);
        Assert.Equal(files, names.ToHashSet());
    }

    [Fact]
    public void Closes_its_descriptor()
    {
        var before = Directory.GetFiles("/proc/self/fd").Length;
        for (var i = 0; i < 50; i++)
        {
            DirectoryNames.FilesIn(Dir);
        }
        Assert.InRange(Directory.GetFiles("/proc/self/fd").Length, 0, before + 5);
    }

    [Fact]
    public void ADirectory_that_cannot_be_listed_is_an_error_naming_it()
    {
        var missing = Path.Combine(Dir, "missing");
        var e = Assert.Throws<RunfException>(() => DirectoryNames.FilesIn(missing));
        Assert.Contains(missing, e.Message);
    }
}
