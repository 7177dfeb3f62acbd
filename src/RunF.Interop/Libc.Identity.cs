using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>Who runf runs as: the ids it maps to root in a container and owns its files with.</summary>
public static partial class Libc
{
    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport(Lib, EntryPoint = "getegid")]
    public static partial uint GetEgid();
}
