using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>The executor's user database, through NSS as shadow's newuidmap reads it (files, LDAP, sssd...).</summary>
public static unsafe partial class Libc
{
    /// <summary>struct passwd: the same layout on x86-64 and arm64.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public byte* Name;
        public byte* Password;
        public uint Uid;
        public uint Gid;
        public byte* Gecos;
        public byte* Dir;
        public byte* Shell;
    }

    /// <summary>The name and primary gid of uid's entry, or null when it has none.</summary>
    public static (string Name, uint Gid)? UserOf(uint uid)
    {
        for (var size = 4096; size <= 1 << 20; size *= 4)
        {
            var buffer = new byte[size];
            Passwd entry;
            Passwd* result;
            int r;
            fixed (byte* b = buffer)
            {
                r = GetPwUid(uid, &entry, b, (nuint)size, &result);
                if (r == 0)
                {
                    return result is null ? null : (Marshal.PtrToStringUTF8((nint)entry.Name) ?? "", entry.Gid);
                }
            }
            if (r != Errno.ERANGE)
            {
                return null;
            }
        }
        return null;
    }

    [LibraryImport(Lib, EntryPoint = "getpwuid_r")]
    private static partial int GetPwUid(uint uid, Passwd* entry, byte* buffer, nuint size, Passwd** result);
}
