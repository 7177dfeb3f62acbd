using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.IO;

namespace RunF.Runtime.Run;

/// <summary>Delivers the run report where --report or --report-fd asked for it.</summary>
internal static unsafe class ReportWriter
{
    /// <summary>
    /// Before the run: --report-fd must name a descriptor open for writing (a zero-length write
    /// checks that and writes nothing), or the report of a function that already ran is lost.
    /// </summary>
    public static void CheckDescriptor(RunSettings settings)
    {
        if (settings.ReportFd is { } fd && Libc.Write(SafeFd.Borrow(fd), null, 0) < 0)
        {
            var example = fd >= 3 ? fd : 3; // 0-2 are stdio; a negative number is no descriptor
            throw new RunfException($"--report-fd {fd}: {Errno.Describe(Errno.Last)}: " +
                $"open it for writing when starting runf (e.g. --report-fd {example} {example}>report.json)");
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
            try
            {
                AtomicFile.Write(path, json); // a reader never sees half a report
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RunfException($"cannot write report {path}: {e.Message}");
            }
        }
        if (settings.ReportFd is { } fd)
        {
            fixed (byte* p = json)
            {
                if (Libc.Write(SafeFd.Borrow(fd), p, json.Length) != json.Length)
                {
                    throw new RunfException($"cannot write report to descriptor {fd}: {Errno.Describe(Errno.Last)}");
                }
            }
        }
    }
}
