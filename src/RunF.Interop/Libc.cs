namespace RunF.Interop;

/// <summary>
/// The libc calls runf makes itself, one file per family (Libc.Files.cs, Libc.Directories.cs...),
/// as dotnet/runtime lays out its Interop.Sys. Each binding sets errno for Errno.Last; a
/// descriptor runf owns comes back as a SafeFd. README.md says why these are our own bindings.
/// </summary>
public static partial class Libc
{
    // Bound at link time in the runf and runf-serve binaries (DirectPInvoke "libc").
    private const string Lib = "libc";
}
