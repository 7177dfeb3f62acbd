using System.Diagnostics;

namespace RunF.IntegrationTests.Infrastructure;

/// <summary>
/// The published runf binary and a busybox rootfs, copied into a world-readable temporary
/// directory: the tests run runf as an unprivileged user, who may not be able to read the
/// checkout. Built by build.sh (out/runf, out/rootfs); RUNF_BINARY overrides the binary.
/// </summary>
public sealed class TestEnvironment : IDisposable
{
    /// <summary>The unprivileged user the tests run runf as when they run as root.</summary>
    public const uint TestUid = 40000;

    public string Dir { get; }
    public string Runf { get; }

    /// <summary>runf-serve-baselines (bench/RunF.Serve.Baselines) beside runf.</summary>
    public string ServeBaselines => Path.Combine(Dir, "runf-serve-baselines");
    public string Rootfs { get; }
    public static bool IsRoot => Environment.UserName == "root" || GetEuid() == 0;

    public TestEnvironment()
    {
        var repo = FindRepo();
        var binary = Environment.GetEnvironmentVariable("RUNF_BINARY") is { Length: > 0 } b ? b : Path.Combine(repo, "out", "runf");
        var rootfs = Path.Combine(repo, "out", "rootfs");
        if (!File.Exists(binary) || !Directory.Exists(rootfs))
        {
            throw new InvalidOperationException($"run ./build.sh rootfs first: {binary} or {rootfs} is missing");
        }
        Dir = Directory.CreateTempSubdirectory("runf-it-").FullName;
        File.SetUnixFileMode(Dir, (UnixFileMode)0x1ed); // 0755
        Runf = Path.Combine(Dir, "runf");
        Rootfs = Path.Combine(Dir, "rootfs");
        Shell.Run("cp", "-a", binary, Runf);
        // runf serve execs the runf-serve beside runf; the serve tests compare it with the baselines.
        foreach (var beside in (string[])["runf-serve", "runf-serve-baselines"])
        {
            var built = Path.Combine(Path.GetDirectoryName(binary)!, beside);
            if (File.Exists(built))
            {
                Shell.Run("cp", "-a", built, Path.Combine(Dir, beside));
            }
        }
        Shell.Run("cp", "-a", rootfs, Rootfs);
    }

    /// <summary>A fresh world-readable directory under the test directory.</summary>
    public string NewDir(string name)
    {
        var dir = Path.Combine(Dir, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ed);
        return dir;
    }

    /// <summary>A copy of the busybox rootfs that a test may alter.</summary>
    public string CopyRootfs(string name)
    {
        var dir = NewDir(name);
        Directory.Delete(dir);
        Shell.Run("cp", "-a", Rootfs, dir);
        return dir;
    }

    public void Dispose() => Shell.Run("rm", "-rf", Dir);

    internal static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RunF.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("cannot find the repository (RunF.sln) above " + AppContext.BaseDirectory);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();
}

[CollectionDefinition(Name)]
public sealed class RunfCollection : ICollectionFixture<TestEnvironment>
{
    public const string Name = "runf";
}

/// <summary>Runs host commands the tests need (cp, rm) and fails loudly.</summary>
internal static class Shell
{
    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? stdout.Result : throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {p.ExitCode}: {stderr}");
    }

    /// <summary>Runs a program and returns its exit code and output, whatever the exit code (the image scripts' 77 says "skip").</summary>
    public static (int Exit, string Stdout, string Stderr) Capture(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }
}
