using Microsoft.Win32.SafeHandles;

namespace RunF.RootfsTools.Safety;

/// <summary>A file descriptor closed by scope (using), like crun's cleanup_close.</summary>
internal sealed class SafeFd : SafeHandleMinusOneIsInvalid
{
    public SafeFd(int fd) : base(ownsHandle: true)
    {
        SetHandle(fd);
    }

    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Native.Close((int)handle) == 0;
}
