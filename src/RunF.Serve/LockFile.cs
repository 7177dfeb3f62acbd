using RunF.Runtime.Errors;
using RunF.Interop;

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
        using (var fd = Libc.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0x1a4)) // 0644
        {
            if (!fd.IsInvalid)
            {
                return;
            }
        }
        var errno = Errno.Last;
        if (errno != Errno.EEXIST)
        {
            throw new RunfException($"cannot write the lock file {path}: {Errno.Describe(errno)}: choose another with --lock-file");
        }
        // Left by an agent that was killed: taken over as it is (it is only ever removed), if it is
        // this user's regular file.
        var problem = Libc.Stat(path, Libc.AT_SYMLINK_NOFOLLOW) switch
        {
            null => "changing under the agent",
            { Type: Libc.S_IFLNK } => "a symlink",
            { Type: not Libc.S_IFREG } => "not a regular file",
            { Uid: var owner } when owner != Libc.GetEuid() => $"owned by uid {owner}, not by this user",
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
