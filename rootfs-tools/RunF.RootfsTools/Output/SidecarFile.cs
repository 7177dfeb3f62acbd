using RunF.Interop;
using RunF.RootfsTools.Safety;

namespace RunF.RootfsTools.Output;

/// <summary>Creates the files written beside the rootfs (DIR.image.json, DIR.owners).</summary>
internal static class SidecarFile
{
    /// <summary>
    /// A new file, 0644 at most whatever the umask: runf reads DIR.image.json to choose the
    /// command to run, so no other user may write it.
    /// </summary>
    public static FileStream Create(string path)
    {
        var fd = CheckIo.Check(Libc.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, Mode.Perm0644), "create", path);
        return new FileStream(fd.ToFileHandle(), FileAccess.Write);
    }
}
