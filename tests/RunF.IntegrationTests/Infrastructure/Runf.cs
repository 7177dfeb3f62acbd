using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace RunF.IntegrationTests.Infrastructure;

public sealed record RunResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Starts the real runf binary as the unprivileged test user, in the test directory.</summary>
public static class Runf
{
    public static RunResult Run(TestEnvironment env, params string[] args) => Run(env, args, stdin: null);

    public static RunResult Run(TestEnvironment env, string[] args, string? stdin, int timeoutSeconds = 30, bool asCaller = false,
        IReadOnlyDictionary<string, string>? extraEnv = null, uint uid = TestEnvironment.TestUid, uint? gid = null)
    {
        using var p = Start(env, args, extraEnv, asCaller: asCaller, uid: uid, gid: gid);
        return Finish(p, $"runf {string.Join(' ', args)}", timeoutSeconds, stdin);
    }

    /// <summary>
    /// Collects a started process's output (read from the start, so a large stdin cannot deadlock
    /// it), gives it stdin and closes it, and waits; past the timeout it is killed with its children.
    /// </summary>
    public static RunResult Finish(Process p, string what, int timeoutSeconds, string? stdin = null)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
        }
        p.StandardInput.Close();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what} did not finish in {timeoutSeconds} s");
        }
        return new RunResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs runf as the test runner itself (root in CI): only for what needs root, the host's cgroups.</summary>
    public static RunResult RunAsCaller(TestEnvironment env, params string[] args) => Run(env, args, stdin: null, asCaller: true);

    /// <summary>
    /// Starts runf (or program, another binary of the test directory) with every stream
    /// redirected, as the unprivileged test user unless asCaller; the caller owns the process.
    /// </summary>
    public static Process Start(TestEnvironment env, string[] args, IReadOnlyDictionary<string, string>? extraEnv = null, bool asCaller = false, string? program = null,
        uint uid = TestEnvironment.TestUid, uint? gid = null)
    {
        program ??= env.Runf;
        var psi = asCaller ? new ProcessStartInfo(program, args) : Unprivileged(program, args, uid, gid);
        psi.WorkingDirectory = env.Dir;
        psi.RedirectStandardInput = psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        psi.StandardOutputEncoding = psi.StandardErrorEncoding = Encoding.UTF8;
        foreach (var (key, value) in extraEnv ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }
        return Process.Start(psi)!;
    }

    /// <summary>
    /// setpriv drops to the test uid (or another; the gid is the same unless given) and then execs
    /// the program, so the pid the caller sees is the program's own.
    /// </summary>
    public static ProcessStartInfo Unprivileged(string program, IEnumerable<string> args, uint uid = TestEnvironment.TestUid, uint? gid = null)
    {
        var psi = new ProcessStartInfo(TestEnvironment.IsRoot ? "setpriv" : program);
        if (TestEnvironment.IsRoot)
        {
            foreach (var a in (string[])[$"--reuid={uid}", $"--regid={gid ?? uid}", "--clear-groups", "--", program])
            {
                psi.ArgumentList.Add(a);
            }
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment.Remove("XDG_RUNTIME_DIR");
        return psi;
    }

    public static void Signal(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The pids whose parent is ppid, read from /proc.</summary>
    public static IReadOnlyList<int> ChildrenOf(int ppid) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!))
            .Where(pid => ParentOf(pid) == ppid)];

    /// <summary>The process's state letter (R, S, Z...) or null when it is gone.</summary>
    public static char? StateOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The parent's pid, or -1 when the process is gone.</summary>
    public static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 4)..].Split(' ')[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
