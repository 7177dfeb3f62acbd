using RunF.RootfsTools.Safety;

namespace RunF.RootfsTools.Layers;

/// <summary>
/// The process umask, read from /proc/self/status: calling umask(2) to read it would briefly
/// change it for every thread.
/// </summary>
internal static class Umask
{
    public static uint Current()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Umask:", StringComparison.Ordinal))
            {
                return Convert.ToUInt32(line[6..].Trim(), 8);
            }
        }
        // Kernels before 4.7 lack the field; assuming every bit masked makes every file get fchmod.
        return Mode.Perm0777;
    }
}
