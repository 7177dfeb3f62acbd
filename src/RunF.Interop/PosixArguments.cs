namespace RunF.Interop;

/// <summary>
/// The process's arguments as the bytes it was given. .NET decodes argv as UTF-8 and replaces
/// what is not with U+FFFD, so an argument that held other bytes is read again from
/// /proc/self/cmdline and decoded with <see cref="PosixString"/>: it reaches the container as it
/// came. Only then: a start whose arguments are all UTF-8 reads nothing.
/// </summary>
public static class PosixArguments
{
    public static string[] Recover(string[] args)
    {
        if (!Array.Exists(args, a => a.Contains('\uFFFD')))
        {
            return args;
        }
        var raw = WholeFile.Read("/proc/self/cmdline");
        if (raw is null)
        {
            return args;
        }
        var all = Split(raw);
        // argv[0] is the program; what follows is what .NET passed to Main, unless a host inserted
        // its own arguments, in which case the count differs and the decoded arguments stand.
        return all.Count == args.Length + 1 ? [.. all.Skip(1)] : args;
    }

    internal static List<string> Split(ReadOnlySpan<byte> nulTerminated)
    {
        var items = new List<string>();
        while (!nulTerminated.IsEmpty)
        {
            var end = nulTerminated.IndexOf((byte)0);
            var item = end < 0 ? nulTerminated : nulTerminated[..end];
            items.Add(PosixString.Decode(item));
            nulTerminated = end < 0 ? [] : nulTerminated[(end + 1)..];
        }
        return items;
    }
}
