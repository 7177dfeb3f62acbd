using Microsoft.Win32.SafeHandles;
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
        int fd = Native.OpenAt(Native.AtFdCwd, path, Native.OWrOnly | Native.OCreat | Native.OExcl | Native.ONoFollow | Native.OCloExec, Mode.Perm0644);
        if (fd < 0)
        {
            throw RootDir.Fail(Native.Errno, $"create {path}");
        }
        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write);
    }
}
