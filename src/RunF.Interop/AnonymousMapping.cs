using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RunF.Interop;

/// <summary>
/// An anonymous private mapping: address space whose pages become resident only when written,
/// and are the kernel's again the moment it is unmapped, with no garbage collection to wait for.
/// </summary>
public sealed unsafe partial class AnonymousMapping : SafeHandleZeroOrMinusOneIsInvalid
{
    private const int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;

    private AnonymousMapping(long length) : base(ownsHandle: true) => Length = length;

    public long Length { get; }

    /// <summary>Valid while the handle is held (DangerousAddRef).</summary>
    public byte* Pointer => (byte*)handle;

    /// <summary>length bytes of address space, or null when the kernel refuses them.</summary>
    public static AnonymousMapping? Reserve(long length)
    {
        var p = Mmap(null, (nuint)length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == (void*)-1)
        {
            return null;
        }
        var mapping = new AnonymousMapping(length);
        mapping.SetHandle((nint)p);
        return mapping;
    }

    protected override bool ReleaseHandle() => Munmap((void*)handle, (nuint)Length) == 0;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* Mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(void* addr, nuint length);
}
