using RunF.Interop;
using RunF.Runtime.IO;

namespace RunF.Runtime.State;

/// <summary>One container's state file, locked for as long as its runf lives; removed on Dispose.</summary>
public sealed unsafe class StateFile(string id, string path, SafeFd fd) : IDisposable
{
    private int _disposed;

    public string Id { get; } = id;

    /// <summary>Writes the record in one pwrite, so a reader sees all of it or an empty file.</summary>
    public void Record(ContainerState state)
    {
        var bytes = JsonText.Write(json => ContainerStateJson.Write(json, state));
        fixed (byte* p = bytes)
        {
            Libc.PWrite(fd, p, bytes.Length, 0);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Libc.Unlink(path);
            fd.Dispose();
        }
    }
}

/// <summary>What `runf ps` shows of a running container.</summary>
public sealed record ContainerState(string Id, int Pid, string Rootfs, IReadOnlyList<string> Command, DateTimeOffset Started);
