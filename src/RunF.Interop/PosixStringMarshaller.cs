using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace RunF.Interop;

/// <summary>
/// Marshals a string argument as the NUL-terminated bytes <see cref="PosixString"/> gives it, so a
/// name decoded from bytes that are not UTF-8 reaches the kernel as those bytes. Every libc binding
/// that takes a string uses it (<c>StringMarshalling.Custom</c>); short strings go on the stack.
/// </summary>
[CustomMarshaller(typeof(string), MarshalMode.ManagedToUnmanagedIn, typeof(ManagedToUnmanagedIn))]
[CustomMarshaller(typeof(string), MarshalMode.Default, typeof(PosixStringMarshaller))]
public static unsafe class PosixStringMarshaller
{
    public static byte* ConvertToUnmanaged(string? managed)
    {
        if (managed is null)
            return null;
        int length = PosixString.GetByteCount(managed);
        var native = (byte*)NativeMemory.Alloc((nuint)length + 1);
        var span = new Span<byte>(native, length + 1);
        PosixString.Encode(managed, span);
        span[length] = 0;
        return native;
    }

    public static string? ConvertToManaged(byte* unmanaged) =>
        unmanaged is null ? null : PosixString.Decode(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(unmanaged));

    public static void Free(byte* unmanaged) => NativeMemory.Free(unmanaged);

    public ref struct ManagedToUnmanagedIn
    {
        public static int BufferSize => 256;

        private byte* _native;
        private bool _allocated;

        public void FromManaged(string? managed, Span<byte> buffer)
        {
            _allocated = false;
            if (managed is null)
            {
                _native = null;
                return;
            }
            int length = PosixString.GetByteCount(managed);
            if (length + 1 > buffer.Length)
            {
                _native = ConvertToUnmanaged(managed);
                _allocated = true;
                return;
            }
            // The generated stub allocates the buffer on the stack, so it cannot move.
            _native = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer));
            PosixString.Encode(managed, buffer);
            buffer[length] = 0;
        }

        public readonly byte* ToUnmanaged() => _native;

        public readonly void Free()
        {
            if (_allocated)
                NativeMemory.Free(_native);
        }
    }
}
