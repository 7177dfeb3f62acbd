using RunF.Runtime.Errors;

namespace RunF.Runtime.Launch;

/// <summary>Signal names as kill(1) spells them, and numbers.</summary>
public static class SignalNames
{
    private static readonly string[] Names =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",
        "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];

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
