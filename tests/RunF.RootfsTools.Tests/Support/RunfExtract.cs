using System.Diagnostics;
using System.Text;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.RootfsTools.Tests.Support;

/// <summary>
/// `runf rootfs extract` through the real binary (out/runf, or RUNF_BINARY), as the unprivileged
/// test user, with the integration tests' harness.
/// </summary>
public static class RunfExtract
{
    private const int TimeoutSeconds = 120;

    /// <summary>
    /// Starts `runf rootfs extract ARCHIVE -o OUTPUT [--force]` under umask; stdin is a pipe for
    /// ARCHIVE "-". The shell execs runf, so the process's id is runf's. The caller owns the process.
    /// </summary>
    public static Process Start(TestEnvironment env, string archive, string output, string umask = "022", bool force = false, params string[] extra)
    {
        string[] command = ["-c", $"umask {umask} && exec \"$0\" \"$@\"", env.Runf, "rootfs", "extract", archive, "-o", output, .. extra];
        var psi = Runf.Unprivileged("/bin/sh", force ? [.. command, "--force"] : command);
        psi.WorkingDirectory = env.Dir;
        psi.RedirectStandardInput = psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        psi.StandardOutputEncoding = psi.StandardErrorEncoding = Encoding.UTF8;
        return Process.Start(psi)!;
    }

    public static RunResult Run(TestEnvironment env, string archive, string output, string umask = "022", bool force = false, params string[] extra)
    {
        using var p = Start(env, archive, output, umask, force, extra);
        p.StandardInput.Close();
        return Finish(p);
    }

    /// <summary>Waits for a started extraction to end and collects its output.</summary>
    public static RunResult Finish(Process p) => Runf.Finish(p, "runf rootfs extract", TimeoutSeconds);

    /// <summary>A fresh directory the test user owns, to extract into.</summary>
    public static string OwnedDir(TestEnvironment env, string name)
    {
        string dir = env.NewDir(name);
        if (TestEnvironment.IsRoot)
        {
            Scratch.Run("chown", $"{TestEnvironment.TestUid}:{TestEnvironment.TestUid}", dir);
        }
        return dir;
    }

    /// <summary>The names in dir, sorted.</summary>
    public static string[] Entries(string dir) =>
        [.. Directory.EnumerateFileSystemEntries(dir).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal)];
}
