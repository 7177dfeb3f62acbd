using RunF.Runtime.Errors;
using RunF.Serve.Interop;

namespace RunF.Serve;

/// <summary>
/// The watchdog's readiness file (/tmp/.lock): present while runf serve takes requests. It lies
/// in a directory others can write to, so it is never opened through what is already there: a
/// symlink planted at the path would make the agent truncate or create its target.
/// </summary>
public static class LockFile
{
    public static void Create(string path)
    {
        // O_EXCL: created here, or the call fails; it never follows a symlink, even a dangling one.
        var fd = FileCalls.Open(path, FileCalls.O_WRONLY | FileCalls.O_CREAT | FileCalls.O_EXCL | FileCalls.O_CLOEXEC, 0x1a4); // 0644
        if (fd >= 0)
        {
            FileCalls.Close(fd);
            return;
        }
        var errno = FileCalls.LastErrno;
        if (errno != FileCalls.EEXIST)
        {
            throw new RunfException($"cannot write the lock file {path}: {FileCalls.Describe(errno)}: choose another with --lock-file");
        }
        // Left by an agent that was killed: taken over as it is (it is only ever removed), if it is
        // this user's regular file.
        var problem = FileCalls.LinkOwner(path) switch
        {
            null => "changing under the agent",
            var (_, mode) when (mode & FileCalls.S_IFMT) == FileCalls.S_IFLNK => "a symlink",
            var (_, mode) when (mode & FileCalls.S_IFMT) != FileCalls.S_IFREG => "not a regular file",
            var (owner, _) when owner != FileCalls.GetEuid() => $"owned by uid {owner}, not by this user",
            _ => null,
        };
        if (problem is not null)
        {
            throw new RunfException($"the lock file {path} exists and is {problem}: remove it, or choose another path with --lock-file");
        }
    }

    public static void Remove(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Logging.ServeLog.Info($"cannot remove the lock file {path}: {e.Message}");
        }
    }
}
