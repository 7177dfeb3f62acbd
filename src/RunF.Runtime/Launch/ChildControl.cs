using RunF.Runtime.Interop;

namespace RunF.Runtime.Launch;

/// <summary>
/// The parent's half of the launcher protocol (native/launcher.h): id maps, the go-ahead byte,
/// the records on the error pipe, and putting down a child that will not be used.
/// </summary>
internal static unsafe class ChildControl
{
    /// <summary>
    /// Maps the executor's ids to root, and nothing else: an unprivileged parent may map only its
    /// own ids, and setgroups must be denied before gid_map.
    /// </summary>
    public static void WriteIdMaps(int pid, uint uid, uint gid)
    {
        foreach (var (file, text) in (ReadOnlySpan<(string, string)>)[("setgroups", "deny"), ("gid_map", $"0 {gid} 1\n"), ("uid_map", $"0 {uid} 1\n")])
        {
            var errno = Libc.WriteSmallFile($"/proc/{pid}/{file}", text);
            if (errno != 0)
            {
                throw LaunchErrors.IdMapFailed(file, errno);
            }
        }
    }

    /// <summary>Lets the child run its plan.</summary>
    public static void Release(int syncFd)
    {
        byte go = 1;
        Libc.Write(syncFd, &go, 1);
        Libc.Close(syncFd);
    }

    /// <summary>
    /// Blocks for the child's next record: null at EOF (it executed its command), otherwise the
    /// step and its errno (0 from an Await step: ready).
    /// </summary>
    public static (uint Step, int Errno)? ReadRecord(int errorFd)
    {
        var record = stackalloc byte[8];
        var got = 0;
        while (got < 8)
        {
            var n = Libc.Read(errorFd, record + got, 8 - got);
            if (n == 0)
            {
                return null;
            }
            if (n < 0 && Libc.LastErrno == Errno.EINTR)
            {
                continue;
            }
            if (n < 0)
            {
                return (uint.MaxValue, Libc.LastErrno);
            }
            got += (int)n;
        }
        return (*(uint*)record, *(int*)(record + 4));
    }

    /// <summary>SIGKILL through the pidfd, then reap: a child must never outlive its use.</summary>
    public static void KillAndReap(int pidFd, int pid)
    {
        Libc.PidfdSendSignal(pidFd, Signals.SIGKILL);
        Libc.WaitPid(pid, out _, 0);
    }

    public static void CloseIfOpen(int fd)
    {
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
