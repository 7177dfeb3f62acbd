using RunF.Interop;
using RunF.Runtime.Errors;

namespace RunF.Runtime.Spec;

/// <summary>Turns the --rootfs the user gave into the absolute, symlink-free path the launcher binds.</summary>
public static class RootfsPath
{
    public static string Resolve(string given)
    {
        var real = Libc.RealPath(given);
        if (real is null)
        {
            throw new RunfException($"rootfs {given} not found (create one with `runf rootfs extract` or pass --rootfs DIR)");
        }
        if (!Libc.IsDirectory(real))
        {
            throw new RunfException($"rootfs {given} is not a directory");
        }
        if (real == "/")
        {
            throw new RunfException("rootfs / is the executor's own root: pass --rootfs DIR with a function's root filesystem");
        }
        return real;
    }
}
