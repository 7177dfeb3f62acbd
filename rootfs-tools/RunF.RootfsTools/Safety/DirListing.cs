using System.Runtime.InteropServices;

namespace RunF.RootfsTools.Safety;

/// <summary>The names in a directory open as a file descriptor, without "." and "..".</summary>
internal static unsafe class DirListing
{
    /// <summary>
    /// Lists the directory open as fd, which stays open and keeps its offset: the listing reads
    /// through a descriptor of its own, because closedir closes the one fdopendir is given.
    /// </summary>
    public static List<(string Name, bool IsDir)> Read(int fd, string path)
    {
        int own = Native.OpenAt(fd, ".", Native.ORdOnly | Native.ODirectory | Native.OCloExec, 0);
        nint dir = own < 0 ? 0 : Native.FdOpenDir(own);
        if (dir == 0)
        {
            int errno = Native.Errno;
            if (own >= 0)
            {
                Native.Close(own);
            }
            throw RootDir.Fail(errno, $"read directory {path}");
        }
        try
        {
            var children = new List<(string Name, bool IsDir)>();
            nint ent;
            while ((ent = Native.ReadDir(dir)) != 0)
            {
                // struct dirent on glibc (x64 and arm64): ino 8, off 8, reclen 2, type 1, name.
                byte type = *((byte*)ent + 18);
                string child = Marshal.PtrToStringUTF8(ent + 19)!;
                if (child is not "." and not "..")
                {
                    children.Add((child, type == Native.DtDir));
                }
            }
            return children;
        }
        finally
        {
            Native.CloseDir(dir);
        }
    }
}
