using RunF.Interop;
using RunF.Runtime.IO;

namespace RunF.Runtime.State;

/// <summary>Reads the state directory for `runf ps` and `runf kill`: only containers whose runf is alive.</summary>
public static class ContainerList
{
    public static IReadOnlyList<ContainerState> Running(StateDirectory states)
    {
        var list = new List<ContainerState>();
        foreach (var file in states.Files())
        {
            if (IsHeld(file) && WholeFile.Read(file) is { } bytes && ContainerStateJson.Read(bytes) is { } state)
            {
                list.Add(state);
            }
        }
        return [.. list.OrderBy(s => s.Started)];
    }

    /// <summary>A live runf holds an exclusive lock on its file; a shared one can be had only when it is gone.</summary>
    private static bool IsHeld(string file)
    {
        using var fd = Libc.Open(file, Libc.O_RDONLY | Libc.O_CLOEXEC);
        return !fd.IsInvalid && Libc.Flock(fd, Libc.LOCK_SH | Libc.LOCK_NB) != 0;
    }
}
