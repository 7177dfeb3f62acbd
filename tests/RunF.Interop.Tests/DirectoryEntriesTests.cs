using RunF.Runtime.Tests;

namespace RunF.Interop.Tests;

/// <summary>
/// The getdents64 listing both the runtime and the rootfs tools use (DirectoryNamesTests covers
/// a listing longer than one buffer).
/// </summary>
public sealed class DirectoryEntriesTests : TempDirectoryTest
{
    [Fact]
    public void Gives_each_entry_its_type_and_leaves_out_dot_and_dot_dot()
    {
        File.WriteAllText(Path.Combine(Dir, "file"), "");
        Directory.CreateDirectory(Path.Combine(Dir, "dir"));
        File.CreateSymbolicLink(Path.Combine(Dir, "link"), "dir");
        using var dir = Libc.Open(Dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);

        var entries = new List<(string Name, byte Type)>();
        Assert.Equal(0, DirectoryEntries.Read(dir, entries));

        const byte DtLnk = 10;
        Assert.Equal([("dir", Libc.DT_DIR), ("file", Libc.DT_REG), ("link", DtLnk)], entries.Order());
    }

    [Fact]
    public void A_descriptor_that_is_no_directory_returns_its_errno()
    {
        var path = Path.Combine(Dir, "file");
        File.WriteAllText(path, "");
        using var file = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        Assert.Equal(Errno.ENOTDIR, DirectoryEntries.Read(file, []));
    }
}
