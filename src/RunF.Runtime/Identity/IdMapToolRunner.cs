using System.Globalization;
using System.Text;
using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Identity;

/// <summary>
/// Writes a waiting child's maps of subordinate ids with newgidmap and newuidmap (setuid helpers:
/// an unprivileged runf may map only its own ids), both at once. They leave setgroups allowed, so
/// the child can set the user's supplementary groups. The child cannot go away meanwhile: it
/// waits for the go-ahead byte and is not reaped, so its pid names it.
/// </summary>
internal static unsafe class IdMapToolRunner
{
    public static void Write(int pid, IdMaps ids, IdMapTools tools)
    {
        using var devNull = Libc.Open("/dev/null", Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (devNull.IsInvalid)
        {
            throw RunfException.FromIoError("open", "/dev/null", Errno.Last);
        }
        var gidMap = Start(tools.NewGidMap, pid, ids.Gids, devNull);
        Started uidMap;
        try
        {
            uidMap = Start(tools.NewUidMap, pid, ids.Uids, devNull);
        }
        catch
        {
            gidMap.Finish();
            throw;
        }
        var gidError = gidMap.Finish();
        var uidError = uidMap.Finish();
        if ((gidError ?? uidError) is { } error)
        {
            throw new RunfException($"cannot map the container's ids: {error}");
        }
    }

    private static Started Start(string tool, int pid, IReadOnlyList<IdRange> ranges, SafeFd stdin)
    {
        var argv = new List<string> { tool, pid.ToString(CultureInfo.InvariantCulture) };
        foreach (var range in ranges)
        {
            argv.Add(range.Inside.ToString(CultureInfo.InvariantCulture));
            argv.Add(range.Host.ToString(CultureInfo.InvariantCulture));
            argv.Add(range.Count.ToString(CultureInfo.InvariantCulture));
        }
        var fds = stackalloc int[2];
        if (Libc.Pipe2(fds, Libc.O_CLOEXEC) != 0)
        {
            throw RunfException.FromIoError("make a pipe for", tool, Errno.Last);
        }
        var output = SafeFd.Own(fds[0]);
        using var write = SafeFd.Own(fds[1]);
        var r = Libc.Spawn(tool, argv, stdin, write, out var child);
        if (r != 0)
        {
            output.Dispose();
            throw RunfException.FromIoError("run", tool, r);
        }
        return new Started(string.Join(' ', argv), child, output);
    }

    /// <summary>A running tool: Finish reads what it printed and reaps it; null when it succeeded.</summary>
    private sealed class Started(string command, int pid, SafeFd output)
    {
        public string? Finish()
        {
            var text = new StringBuilder();
            var buffer = stackalloc byte[1024];
            nint n;
            while ((n = Libc.Read(output, buffer, 1024)) > 0 || (n < 0 && Errno.Last == Errno.EINTR))
            {
                if (n > 0 && text.Length < 4096)
                {
                    text.Append(Encoding.UTF8.GetString(buffer, (int)n));
                }
            }
            output.Dispose();
            int status, r;
            while ((r = Libc.WaitPid(pid, out status, 0)) < 0 && Errno.Last == Errno.EINTR)
            {
            }
            if (r < 0)
            {
                return $"{command}: cannot wait for it: {Errno.Describe(Errno.Last)}";
            }
            if ((status & 0x7f) == 0 && (status >> 8 & 0xff) == 0)
            {
                return null;
            }
            var said = text.ToString().Trim().Split('\n')[0];
            var how = (status & 0x7f) == 0 ? $"exit {status >> 8 & 0xff}" : $"signal {status & 0x7f}";
            return $"{command} failed ({how}){(said.Length > 0 ? ": " + said : "")}";
        }
    }
}
