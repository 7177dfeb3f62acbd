using RunF.Runtime.Errors;
using RunF.Runtime.Interop;
using RunF.Runtime.IO;

namespace RunF.Runtime.Launch;

/// <summary>Delivers the run report where --report or --report-fd asked for it.</summary>
internal static unsafe class ReportWriter
{
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
                if (Libc.Write(fd, p, json.Length) != json.Length)
                {
                    throw new RunfException($"cannot write report to descriptor {fd}: {Libc.Describe(Libc.LastErrno)}");
                }
            }
        }
    }
}
