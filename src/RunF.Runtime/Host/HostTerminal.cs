using RunF.Interop;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Host;

/// <summary>
/// runf's own terminal, for -t: the first of its stdin, stdout and stderr that is one, as the
/// window size the container's terminal starts with and follows. Read only when -t is given.
/// </summary>
public static class HostTerminal
{
    /// <summary>The descriptor among 0, 1, 2 that answers TIOCGWINSZ, or -1 when none is a terminal.</summary>
    public static int SizeSource()
    {
        for (var fd = 0; fd <= 2; fd++)
        {
            if (Libc.GetWindowSize(fd, out _) == 0)
            {
                return fd;
            }
        }
        return -1;
    }

    /// <summary>The size of runf's terminal, or 0 x 0 when it has none.</summary>
    public static TerminalSize Size()
    {
        var fd = SizeSource();
        return fd >= 0 && Libc.GetWindowSize(fd, out var size) == 0 ? new TerminalSize(size.Rows, size.Columns) : default;
    }
}
