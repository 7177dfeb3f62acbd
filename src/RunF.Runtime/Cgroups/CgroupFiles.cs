using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.IO;

namespace RunF.Runtime.Cgroups;

/// <summary>Reading and writing cgroup control files, with errors that name the file.</summary>
internal static class CgroupFiles
{
    public static void Write(string dir, string file, string value)
    {
        var errno = SmallFiles.Write(System.IO.Path.Combine(dir, file), value);
        if (errno != 0)
        {
            throw new RunfException($"cannot set {file}={value.Trim()} in cgroup {dir}: {Errno.Describe(errno)}");
        }
    }

    /// <summary>The value of "key N" in a flat-keyed file such as memory.events.</summary>
    public static long? ReadKey(string dir, string file, string key)
    {
        var text = SmallFiles.ReadText(System.IO.Path.Combine(dir, file));
        foreach (var line in text?.Split('\n') ?? [])
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], out var n))
            {
                return n;
            }
        }
        return null;
    }

    public static long? ReadNumber(string dir, string file) =>
        long.TryParse(SmallFiles.ReadText(System.IO.Path.Combine(dir, file))?.Trim(), out var n) ? n : null;

    public static bool IsEmpty(string dir) =>
        SmallFiles.ReadText(System.IO.Path.Combine(dir, "cgroup.procs")) is { } procs && procs.Trim().Length == 0;

    /// <summary>rmdir, retried briefly: the kernel frees a cgroup a moment after its last process is reaped.</summary>
    public static void RemoveDir(string dir)
    {
        for (var attempt = 0; attempt < 50 && Libc.RmDir(dir) != 0 && Errno.Last == Errno.EBUSY; attempt++)
        {
            Thread.Sleep(2);
        }
    }

    public const string Prefix = "runf-";

    public static void SweepSiblings(string dir, Func<string, bool> isLive)
    {
        var parent = System.IO.Path.GetDirectoryName(dir)!;
        foreach (var sibling in Directory.EnumerateDirectories(parent, Prefix + "*"))
        {
            // A young sibling may belong to a runf that has not moved its child in yet.
            if (sibling != dir && !isLive(System.IO.Path.GetFileName(sibling)[Prefix.Length..]) && IsEmpty(sibling)
                && DateTime.UtcNow - Directory.GetLastWriteTimeUtc(sibling) > TimeSpan.FromSeconds(2))
            {
                Libc.RmDir(sibling);
            }
        }
    }
}
