using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>
/// Environment variables as bytes: .NET's own copy of the environment replaces what is not UTF-8
/// with U+FFFD, so a value passed on to a container (<c>-e KEY</c>) is read from libc's environ
/// and decoded with <see cref="PosixString"/>. runf never sets a variable, so environ is only read.
/// </summary>
public static unsafe partial class PosixEnvironment
{
    public static string? Get(string name) => PosixStringMarshaller.ConvertToManaged(GetEnv(name));

    /// <summary>
    /// Every KEY=VALUE pair of the process's environment, in order. Read from /proc/self/environ,
    /// the environment the process was started with, which is environ since nothing sets a variable.
    /// </summary>
    public static IReadOnlyList<string> All()
    {
        var bytes = WholeFile.Read("/proc/self/environ") ?? [];
        var entries = new List<string>();
        foreach (var range in bytes.AsSpan().Split((byte)0))
        {
            var entry = bytes.AsSpan(range);
            if (entry.IndexOf((byte)'=') > 0)
            {
                entries.Add(PosixString.Decode(entry));
            }
        }
        return entries;
    }

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    private static partial byte* GetEnv(string name);
}
