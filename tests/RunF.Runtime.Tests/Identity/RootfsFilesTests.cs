using RunF.Runtime.Errors;
using RunF.Runtime.IO;

namespace RunF.Runtime.Tests.Identity;

/// <summary>An image's account files are read beneath its rootfs, never outside it, and only when they are regular files.</summary>
public class RootfsFilesTests : TempDirectoryTest
{
    private string Rootfs => Path.Combine(Dir, "rootfs");

    private void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Rootfs + path)!);
        File.WriteAllText(Rootfs + path, text);
    }

    [Fact]
    public void Reads_a_file_in_the_rootfs_and_returns_null_for_one_that_is_missing()
    {
        Write("/etc/passwd", "app:x:1000:1000::/:/bin/sh\n");
        Assert.Equal("app:x:1000:1000::/:/bin/sh\n", RootfsFiles.ReadInRoot(Rootfs, "/etc/passwd"));
        Assert.Null(RootfsFiles.ReadInRoot(Rootfs, "/etc/group"));
        Assert.Null(RootfsFiles.ReadInRoot(Rootfs, "/nodir/group"));
    }

    [Fact]
    public void A_symlink_that_points_out_of_the_rootfs_stays_in_it()
    {
        // The host's file holds a user the rootfs does not: the symlink must not reach it.
        File.WriteAllText(Path.Combine(Dir, "host-passwd"), "host-only:x:0:0::/:/bin/sh\n");
        Write("/etc/host-passwd", "in-rootfs:x:1:1::/:/bin/sh\n");
        Directory.CreateDirectory(Rootfs + "/etc");
        File.CreateSymbolicLink(Rootfs + "/etc/passwd", "../../host-passwd");
        File.CreateSymbolicLink(Rootfs + "/etc/group", Path.Combine(Dir, "host-passwd"));
        Assert.Null(RootfsFiles.ReadInRoot(Rootfs, "/etc/passwd")); // ../../host-passwd is /host-passwd in the rootfs: not there
        Assert.Null(RootfsFiles.ReadInRoot(Rootfs, "/etc/group"));  // an absolute target is resolved in the rootfs too
        File.Delete(Rootfs + "/etc/group");
        File.CreateSymbolicLink(Rootfs + "/etc/group", "/etc/host-passwd");
        Assert.Equal("in-rootfs:x:1:1::/:/bin/sh\n", RootfsFiles.ReadInRoot(Rootfs, "/etc/group"));
    }

    [Fact]
    public void A_fifo_or_directory_is_refused_without_being_opened_for_reading()
    {
        Directory.CreateDirectory(Rootfs + "/etc/passwd");
        Assert.Contains("is not a regular file", Assert.Throws<RunfException>(() => RootfsFiles.ReadInRoot(Rootfs, "/etc/passwd")).Message);
        Assert.Equal(0, mkfifo(Rootfs + "/etc/group", 0x1b6));
        // Opening a FIFO for reading would block until a writer came: this returns at once.
        var e = Assert.Throws<RunfException>(() => RootfsFiles.ReadInRoot(Rootfs, "/etc/group"));
        Assert.Equal($"cannot read {Rootfs}/etc/group: it is not a regular file of at most 4 MiB", e.Message);
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int mkfifo(string path, uint mode);
}
