using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>Readiness of descriptors: poll, and the file status flags (O_NONBLOCK) that go with it.</summary>
public static unsafe partial class Libc
{
    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>poll(2): the number of descriptors with events, 0 at the timeout, -1 with errno.</summary>
    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeFd fd, int command, int argument);

    /// <summary>Sets O_NONBLOCK on fd's open file description (its other status flags kept); 0 or -1 with errno.</summary>
    public static int SetNonBlocking(SafeFd fd)
    {
        var flags = Fcntl(fd, F_GETFL, 0);
        return flags < 0 ? -1 : Fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    }
}
