using RunF.Runtime.Errors;

namespace RunF.Runtime.Launch;

/// <summary>Signal numbers (the same on x86_64 and aarch64) and names as kill(1) spells them.</summary>
public static class Signals
{
    public const int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGUSR1 = 10, SIGUSR2 = 12, SIGTERM = 15;

    private static readonly string[] Names =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",
        "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];

    /// <summary>"SIGTERM" for 15; "signal N" for one without a name here.</summary>
    public static string Name(int signal) => signal > 0 && signal < Names.Length ? "SIG" + Names[signal] : $"signal {signal}";

    /// <summary>Parses "TERM", "SIGTERM", "term" or "15".</summary>
    public static int Parse(string text)
    {
        if (int.TryParse(text, out var n) && n is > 0 and <= 64)
        {
            return n;
        }
        var bare = text.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? text[3..] : text;
        var index = Array.FindIndex(Names, name => name.Length > 0 && name.Equals(bare, StringComparison.OrdinalIgnoreCase));
        return index > 0 ? index : throw new RunfException($"unknown signal \"{text}\" (use a name such as TERM or KILL, or a number)");
    }
}
