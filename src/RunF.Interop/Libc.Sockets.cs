using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>
/// socket(2), for the one socket runf opens itself: a NETLINK_SOCK_DIAG socket, which asks the
/// kernel whose TCP connection is whose (runf serve's Lambda runtime API); read and write carry
/// its messages.
/// </summary>
public static partial class Libc
{
    public const int AF_NETLINK = 16;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_SOCK_DIAG = 4;

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketRaw(int domain, int type, int protocol);

    /// <summary>A new socket, close-on-exec; invalid with errno in Errno.Last on failure.</summary>
    public static SafeFd Socket(int domain, int type, int protocol) => SafeFd.Own(SocketRaw(domain, type | SOCK_CLOEXEC, protocol));
}
