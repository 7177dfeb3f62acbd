namespace RunF.Runtime.Errors;

/// <summary>
/// A failure reported to the user as one line ("runf: " + Message) and an exit code. Messages
/// are lowercase, name the thing that failed and, where there is one, the fix.
/// </summary>
public class RunfException(string message, int exitCode = ExitCodes.RunfError) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
