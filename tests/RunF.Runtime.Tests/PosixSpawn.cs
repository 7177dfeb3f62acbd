using System.Runtime.InteropServices;
using RunF.Interop;
using RunF.Runtime.Launch;

namespace RunF.Runtime.Tests;

/// <summary>Real child processes that .NET's Process class does not know (and so does not reap), for the fakes of InvokerTests.</summary>
internal static unsafe partial class PosixSpawn
{
    /// <summary>A real child with stdout on the given descriptor, as a ContainerProcess (pid and pidfd) the invoker waits for.</summary>
    public static ContainerProcess Start(string[] argv, int stdoutFd)
    {
        var actions = stackalloc byte[256]; // posix_spawn_file_actions_t is 80 bytes on glibc
        Assert.Equal(0, FileActionsInit(actions));
        Assert.Equal(0, FileActionsAddDup2(actions, stdoutFd, 1));
        var args = argv.Select(a => Marshal.StringToCoTaskMemUTF8(a)).Append(0).ToArray();
        try
        {
            int pid;
            fixed (nint* p = args)
            {
                nint env = 0;
                Assert.Equal(0, Spawn(&pid, args[0], actions, 0, p, &env));
            }
            return new ContainerProcess(pid, Libc.PidfdOpen(pid));
        }
        finally
        {
            FileActionsDestroy(actions);
            foreach (var a in args)
            {
                Marshal.FreeCoTaskMem(a);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    private static partial int Spawn(int* pid, nint path, byte* fileActions, nint attributes, nint* argv, nint* envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int FileActionsInit(byte* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static partial int FileActionsAddDup2(byte* actions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int FileActionsDestroy(byte* actions);
}
