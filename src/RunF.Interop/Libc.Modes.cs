using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>What is kept about a file besides its data: mode bits, times, extended attributes.</summary>
public static unsafe partial class Libc
{
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Sec;
        public long Nsec;

        public static Timespec Of(DateTimeOffset time)
        {
            var sec = Math.DivRem(time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks, TimeSpan.TicksPerSecond, out var rest);
            if (rest < 0)
            {
                sec--;
                rest += TimeSpan.TicksPerSecond;
            }
            return new Timespec { Sec = sec, Nsec = rest * 100 };
        }
    }

    [LibraryImport(Lib, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int FChmod(SafeFd fd, uint mode);

    /// <summary>times[0] is the access time, times[1] the modification time.</summary>
    /// <summary>Only for a name just made beneath a directory no one else writes (it follows a symlink).</summary>
    [LibraryImport(Lib, EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int FChmodAt(SafeFd dir, string path, uint mode, int flags);

    [LibraryImport(Lib, EntryPoint = "futimens", SetLastError = true)]
    public static partial int FUtimens(SafeFd fd, Timespec* times);

    [LibraryImport(Lib, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int UtimensAt(SafeFd dir, string path, Timespec* times, int flags);

    [LibraryImport(Lib, EntryPoint = "fsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(PosixStringMarshaller))]
    public static partial int FSetXattr(SafeFd fd, string name, byte* value, nuint size, int flags);
}
