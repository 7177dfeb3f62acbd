using RunF.Interop;

namespace RunF.Runtime.Errors;

/// <summary>
/// A failure reported to the user as one line ("runf: " + Message) and an exit code. Messages
/// are lowercase, name the thing that failed and, where there is one, the fix.
/// </summary>
public class RunfException(string message, int exitCode = ExitCodes.RunfError) : Exception(message), IIoException<RunfException>
{
    public int ExitCode { get; } = exitCode;

    public static RunfException FromIoError(string operation, string path, int errno) => new(IoError.Message(operation, path, errno));
}
