using RunF.Runtime.Errors;

namespace RunF.Serve;

/// <summary>The watchdog's readiness file (/tmp/.lock): present while runf serve takes requests.</summary>
public static class LockFile
{
    public static void Create(string path)
    {
        try
        {
            File.WriteAllText(path, "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunfException($"cannot write the lock file {path}: {e.Message.TrimEnd('.')}: choose another with --lock-file");
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
