using System.Runtime.InteropServices;
using System.Text;
using RunF.Interop;

namespace RunF.RootfsTools.Tests.Support;

/// <summary>The extended attributes of a path itself (a symlink is not followed), sorted by name.</summary>
public static unsafe partial class Xattrs
{
    public static IReadOnlyList<(string Name, byte[] Value)> Read(string path)
    {
        nint size = LListXattr(path, null, 0);
        if (size <= 0)
        {
            return size == 0 ? [] : throw new IOException($"llistxattr {path}: {Errno.Describe(Errno.Last)}");
        }
        var names = new byte[size];
        fixed (byte* p = names)
        {
            size = LListXattr(path, p, size);
        }
        var result = new List<(string, byte[])>();
        foreach (var name in Encoding.UTF8.GetString(names, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal))
        {
            nint length = LGetXattr(path, name, null, 0);
            var value = new byte[Math.Max(length, 0)];
            fixed (byte* p = value)
            {
                length = LGetXattr(path, name, p, value.Length);
            }
            result.Add(length >= 0 ? (name, value[..(int)length]) : throw new IOException($"lgetxattr {path} {name}: {Errno.Describe(Errno.Last)}"));
        }
        return result;
    }

    [LibraryImport("libc", EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LListXattr(string path, byte* list, nint size);

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LGetXattr(string path, string name, byte* value, nint size);
}
