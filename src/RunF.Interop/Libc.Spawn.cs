using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>
/// posix_spawn for the few helper programs runf runs itself (newuidmap, newgidmap): glibc spawns
/// with a vfork-style clone, and .NET's Process class, which would also take over SIGCHLD and
/// the terminal, stays out of a container's start.
/// </summary>
public static unsafe partial class Libc
{
    /// <summary>glibc's posix_spawn_file_actions_t is 80 bytes; room to spare.</summary>
    private const int FileActionsSize = 128;

    /// <summary>
    /// Starts path with argv (argv[0] included) and an empty environment, its stdin on stdinFd and
    /// its stdout and stderr on outputFd. Returns 0 and the pid, or an errno (posix_spawn's own
    /// convention: it does not set errno).
    /// </summary>
    public static int Spawn(string path, IReadOnlyList<string> argv, SafeFd stdinFd, SafeFd outputFd, out int pid)
    {
        pid = -1;
        var actions = stackalloc byte[FileActionsSize];
        var r = FileActionsInit(actions);
        if (r != 0)
        {
            return r;
        }
        var strings = new nint[argv.Count + 1];
        try
        {
            for (var i = 0; i < argv.Count; i++)
            {
                strings[i] = (nint)PosixStringMarshaller.ConvertToUnmanaged(argv[i]);
            }
            var input = (int)stdinFd.DangerousGetHandle();
            var output = (int)outputFd.DangerousGetHandle();
            if ((r = FileActionsAddDup2(actions, input, 0)) != 0
                || (r = FileActionsAddDup2(actions, output, 1)) != 0
                || (r = FileActionsAddDup2(actions, output, 2)) != 0)
            {
                return r;
            }
            nint noEnvironment = 0;
            int child;
            fixed (nint* args = strings)
            {
                r = PosixSpawn(&child, path, actions, 0, args, &noEnvironment);
            }
            pid = r == 0 ? child : -1;
            return r;
        }
        finally
        {
            FileActionsDestroy(actions);
            foreach (var s in strings)
            {
                PosixStringMarshaller.Free((byte*)s);
            }
        }
    }

    [LibraryImport(Lib, EntryPoint = "posix_spawn", StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    private static partial int PosixSpawn(int* pid, string path, byte* fileActions, nint attributes, nint* argv, nint* envp);

    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int FileActionsInit(byte* actions);

    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static partial int FileActionsAddDup2(byte* actions, int fd, int newFd);

    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int FileActionsDestroy(byte* actions);
}
