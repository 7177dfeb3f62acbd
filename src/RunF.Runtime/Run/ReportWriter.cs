using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.IO;

namespace RunF.Runtime.Run;

/// <summary>Delivers the run report where --report or --report-fd asked for it.</summary>
internal static unsafe class ReportWriter
{
    /// <summary>
    /// Before the run, or the report of a function that already ran is lost: --report must name
    /// a file in a directory runf can write (the report is written beside it and renamed over
    /// it), and --report-fd a descriptor open for writing (a zero-length write checks that and
    /// writes nothing). Nothing is created before the run.
    /// </summary>
    public static void CheckDestinations(RunSettings settings)
    {
        if (settings.ReportPath is { } path)
        {
            CheckPath(path);
        }
        if (settings.ReportFd is { } fd && Libc.Write(SafeFd.Borrow(fd), null, 0) < 0)
        {
            var example = fd >= 3 ? fd : 3; // 0-2 are stdio; a negative number is no descriptor
            throw new RunfException($"--report-fd {fd}: {Errno.Describe(Errno.Last)}: " +
                $"open it for writing when starting runf (e.g. --report-fd {example} {example}>report.json)");
        }
    }

    private static void CheckPath(string path)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? "/";
        if (Libc.IsDirectory(full))
        {
            throw new RunfException($"--report {path}: it is a directory: name a file (e.g. --report {Path.Combine(path, "report.json")})");
        }
        if (Libc.Access(dir, Libc.W_OK | Libc.X_OK) != 0)
        {
            throw new RunfException($"--report {path}: cannot write in {dir}: {Errno.Describe(Errno.Last)}: name a file in a directory you can write");
        }
    }

    public static void Write(RunReport report, RunSettings settings)
    {
        if (settings.ReportPath is null && settings.ReportFd is null)
        {
            return;
        }
        var json = report.ToJson();
        if (settings.ReportPath is { } path)
        {
            // Renamed into place: a reader never sees half a report.
            if (AtomicFile.Write(path, json) is not 0 and var error)
            {
                throw new RunfException($"cannot write report {path}: {Errno.Describe(error)}");
            }
        }
        if (settings.ReportFd is { } fd && Libc.WriteAll(SafeFd.Borrow(fd), json) is not 0 and var errno)
        {
            throw new RunfException($"cannot write report to descriptor {fd}: {Errno.Describe(errno)}");
        }
    }
}
