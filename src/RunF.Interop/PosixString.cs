using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace RunF.Interop;

/// <summary>
/// Bytes that POSIX hands over (arguments, environment, file names, link targets) carried in a
/// .NET string without loss. Valid UTF-8 decodes as usual; each byte of an invalid sequence becomes
/// the lone surrogate U+DC80..U+DCFF (Python's "surrogateescape", PEP 383) and encodes back to the
/// same byte. Valid UTF-8 never decodes to a surrogate, so the round trip is exact for every byte
/// string, and a name that is not UTF-8 can neither collide with another nor change on its way to
/// the kernel, as it does when .NET replaces it with U+FFFD.
/// </summary>
public static class PosixString
{
    private const char EscapeBase = '\uDC00';
    private const char FirstEscape = '\uDC80';
    private const char LastEscape = '\uDCFF';

    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
            return Encoding.UTF8.GetString(bytes);
        // Each byte yields at most one UTF-16 unit (four-byte sequences yield two), so a buffer of
        // the byte count always suffices.
        var chars = bytes.Length <= 512 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        int written = 0;
        while (!bytes.IsEmpty)
        {
            var status = Utf8.ToUtf16(bytes, chars[written..], out int read, out int produced,
                replaceInvalidSequences: false, isFinalBlock: true);
            written += produced;
            bytes = bytes[read..];
            if (status == OperationStatus.InvalidData)
            {
                chars[written++] = (char)(EscapeBase + bytes[0]);
                bytes = bytes[1..];
            }
        }
        return new string(chars[..written]);
    }

    /// <summary>True when <paramref name="text"/> holds an escaped byte.</summary>
    public static bool HasEscapes(ReadOnlySpan<char> text) => text.IndexOfAnyInRange(FirstEscape, LastEscape) >= 0;

    public static byte[] Encode(string text)
    {
        var bytes = new byte[GetByteCount(text)];
        Encode(text, bytes);
        return bytes;
    }

    public static int GetByteCount(ReadOnlySpan<char> text)
    {
        if (!HasEscapes(text))
            return Encoding.UTF8.GetByteCount(text);
        int count = 0;
        for (int i = 0; i < text.Length; i += Step(text, i))
            count += IsEscape(text, i) ? 1 : Utf8Length(text, i);
        return count;
    }

    /// <summary>Writes the bytes of <paramref name="text"/> (no terminating NUL) and returns how many.</summary>
    public static int Encode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (!HasEscapes(text))
            return Encoding.UTF8.GetBytes(text, destination);
        int written = 0;
        for (int i = 0; i < text.Length; i += Step(text, i))
        {
            if (IsEscape(text, i))
                destination[written++] = (byte)(text[i] - EscapeBase);
            else
                written += Encoding.UTF8.GetBytes(text.Slice(i, Step(text, i)), destination[written..]);
        }
        return written;
    }

    // The loops step over a valid surrogate pair whole, so a low surrogate met on its own is an escape.
    private static bool IsEscape(ReadOnlySpan<char> text, int i) => text[i] is >= FirstEscape and <= LastEscape;

    private static int Step(ReadOnlySpan<char> text, int i) =>
        char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;

    private static int Utf8Length(ReadOnlySpan<char> text, int i) => Encoding.UTF8.GetByteCount(text.Slice(i, Step(text, i)));
}
