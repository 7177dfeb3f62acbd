using RunF.Interop;

namespace RunF.Runtime.IO;

/// <summary>Whole-file writes that a concurrent reader sees complete or not at all.</summary>
internal static class AtomicFile
{
    private static string TemporaryPathFor(string path) => $"{path}.{Environment.ProcessId}.tmp";

    /// <summary>
    /// Writes beside the target and renames over it; the temporary file never outlives a failure.
    /// Plain open/write/rename take the path as bytes (File.WriteAllBytes would turn a name that is
    /// not UTF-8 into another one). Returns 0 or the errno, for the caller to name the target.
    /// </summary>
    public static int Write(string path, byte[] bytes)
    {
        var temp = TemporaryPathFor(path);
        using (var fd = Libc.Open(temp, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_TRUNC | Libc.O_CLOEXEC | Libc.O_NOFOLLOW, 0x1B6))
        {
            if (fd.IsInvalid)
            {
                return Errno.Last;
            }
            var error = Libc.WriteAll(fd, bytes);
            if (error != 0)
            {
                Libc.Unlink(temp);
                return error;
            }
        }
        if (Libc.Rename(temp, path, 0) != 0)
        {
            var error = Errno.Last;
            Libc.Unlink(temp);
            return error;
        }
        return 0;
    }
}
