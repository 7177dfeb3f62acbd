using Microsoft.Win32.SafeHandles;
using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Runtime.Launch;

namespace RunF.Runtime.Invoke;

/// <summary>
/// The pipes of one invocation: the container's ends go to it through the dispatch and are closed
/// here right after; the executor's ends become streams. Pipes, as the watchdog gives its
/// functions, not sockets: a function sees what it would see under OpenFaaS.
/// </summary>
internal sealed unsafe class InvocationPipes : IDisposable
{
    private readonly int[] _childEnds;

    private InvocationPipes(bool combineOutput)
    {
        var (stdinRead, stdinWrite) = Pipe();
        var (stdoutRead, stdoutWrite) = Pipe();
        var (stderrRead, stderrWrite) = combineOutput ? (-1, stdoutWrite) : Pipe();
        _childEnds = [stdinRead, stdoutWrite, stderrWrite];
        Stdin = Stream(stdinWrite, FileAccess.Write);
        Stdout = Stream(stdoutRead, FileAccess.Read);
        Stderr = stderrRead < 0 ? null : Stream(stderrRead, FileAccess.Read);
    }

    public static InvocationPipes Create(bool combineOutput) => new(combineOutput);

    public int ChildStdin => _childEnds[0];

    public int ChildStdout => _childEnds[1];

    public int ChildStderr => _childEnds[2];

    public FileStream Stdin { get; }

    public FileStream Stdout { get; }

    /// <summary>Null when stderr is combined into stdout.</summary>
    public FileStream? Stderr { get; }

    /// <summary>Once the container holds its copies: EOF on stdout then means the function is done.</summary>
    public void CloseChildEnds()
    {
        foreach (var fd in _childEnds.Distinct())
        {
            if (fd >= 0)
            {
                Libc.Close(fd);
            }
        }
        Array.Fill(_childEnds, -1);
    }

    public void Dispose()
    {
        CloseChildEnds();
        Stdin.Dispose();
        Stdout.Dispose();
        Stderr?.Dispose();
    }

    /// <summary>A close-on-exec pipe (no process started meanwhile inherits it); LoopContainer makes its four with it too.</summary>
    internal static (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        if (Libc.Pipe2(fds, Libc.O_CLOEXEC) < 0)
        {
            throw new RunfException($"cannot create a pipe for the function: {Errno.Describe(Errno.Last)}");
        }
        return (fds[0], fds[1]);
    }

    private static FileStream Stream(int fd, FileAccess access) => new(new SafeFileHandle(fd, ownsHandle: true), access, bufferSize: 0);
}
