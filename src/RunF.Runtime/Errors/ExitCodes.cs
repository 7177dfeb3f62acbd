namespace RunF.Runtime.Errors;

/// <summary>runf's exit codes, as docker run and chroot(1) use them.</summary>
public static class ExitCodes
{
    /// <summary>The run exceeded --timeout.</summary>
    public const int TimedOut = 124;

    /// <summary>RunF itself failed: bad options, bad rootfs, a setup step failed.</summary>
    public const int RunfError = 125;

    /// <summary>The command exists in the rootfs but cannot be executed.</summary>
    public const int CannotExecute = 126;

    /// <summary>The command does not exist in the rootfs.</summary>
    public const int NotFound = 127;

    /// <summary>128 + N when the command was killed by signal N.</summary>
    public static int KilledBy(int signal) => 128 + signal;
}
