namespace RunF.Interop;

/// <summary>
/// A failed call as one line that names the operation and the path, lowercase, no trailing
/// period: "cannot open /x: Permission denied".
/// </summary>
public static class IoError
{
    public static string Message(string operation, string path, int errno) => Message(operation, path, Errno.Describe(errno));

    /// <summary>With the errno's text as the caller words it.</summary>
    public static string Message(string operation, string path, string error) => $"cannot {operation} {path}: {error}";
}

/// <summary>
/// Turns a failed call into the project's exception with IoError's line, as dotnet/runtime's
/// Interop.CheckIo does. Each project names its own with a global using alias
/// (CheckIo = CheckIo&lt;RunfException&gt;); a call that expects an errno handles it itself.
/// </summary>
public static class CheckIo<TException> where TException : Exception, IIoException<TException>
{
    /// <summary>The exception for the call that just failed (errno from Errno.Last).</summary>
    public static TException Error(string operation, string path) => Error(operation, path, Errno.Last);

    public static TException Error(string operation, string path, int errno) => TException.FromIoError(operation, path, errno);

    /// <summary>result, unless it is negative (a failed call): then the exception.</summary>
    public static int Check(int result, string operation, string path) => result >= 0 ? result : throw Error(operation, path);

    /// <summary>fd, unless the call that made it failed: then the exception.</summary>
    public static SafeFd Check(SafeFd fd, string operation, string path)
    {
        if (!fd.IsInvalid)
        {
            return fd;
        }
        var error = Error(operation, path);
        fd.Dispose();
        throw error;
    }
}
