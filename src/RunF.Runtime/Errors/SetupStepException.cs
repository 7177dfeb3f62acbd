using RunF.Runtime.Plan;

namespace RunF.Runtime.Errors;

/// <summary>A setup step the launcher reported as failed: the line for the user, and the step and errno for callers that act on them.</summary>
public sealed class SetupStepException(SetupOp step, int errno, string message, int exitCode = ExitCodes.RunfError)
    : RunfException(message, exitCode)
{
    public SetupOp Step { get; } = step;

    public int Errno { get; } = errno;
}
