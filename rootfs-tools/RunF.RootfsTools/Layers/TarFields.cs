using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace RunF.RootfsTools.Layers;

/// <summary>
/// The fields of a tar header block (POSIX ustar, with GNU's and star's extensions) and the
/// number formats they use: octal ASCII, GNU's base-256 for values octal cannot hold, PAX's
/// decimals. Malformed fields throw InvalidDataException, which names the field.
/// </summary>
internal static class TarFields
{
    public const int BlockSize = 512;
    public const int NameOffset = 0, NameLength = 100;
    public const int ModeOffset = 100, UidOffset = 108, GidOffset = 116, IdLength = 8;
    public const int SizeOffset = 124, MtimeOffset = 136, NumberLength = 12;
    public const int ChecksumOffset = 148, ChecksumLength = 8;
    public const int TypeFlagOffset = 156;
    public const int LinkNameOffset = 157;
    public const int MagicOffset = 257;
    public const int PrefixOffset = 345, PrefixLength = 155;

    /// <summary>The field up to its first NUL: names are bytes, decoded by the caller.</summary>
    public static ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> block, int offset, int length)
    {
        var field = block.Slice(offset, length);
        int nul = field.IndexOf((byte)0);
        return nul < 0 ? field : field[..nul];
    }

    /// <summary>Whether the header is POSIX ustar ("ustar\0"), whose prefix field extends the name; GNU's "ustar  " uses it otherwise.</summary>
    public static bool IsUstar(ReadOnlySpan<byte> block) => block.Slice(MagicOffset, 6).SequenceEqual("ustar\0"u8);

    /// <summary>
    /// A numeric field: octal digits between optional spaces and NULs, or GNU base-256 (first
    /// byte 0x80 positive, 0xff negative: the rest a big-endian two's complement number).
    /// </summary>
    public static long Number(ReadOnlySpan<byte> block, int offset, int length, string what)
    {
        var field = block.Slice(offset, length);
        if ((field[0] & 0x80) != 0)
        {
            return Base256(field, what);
        }
        field = field.Trim(" \0"u8);
        long value = 0;
        foreach (byte b in field)
        {
            if (b is < (byte)'0' or > (byte)'7')
            {
                throw new InvalidDataException($"the {what} field of a tar header is not an octal number");
            }
            if (value > long.MaxValue >> 3)
            {
                throw new InvalidDataException($"the {what} field of a tar header is out of range");
            }
            value = (value << 3) | (uint)(b - '0');
        }
        return value;
    }

    private static long Base256(ReadOnlySpan<byte> field, string what)
    {
        bool negative = field[0] == 0xff;
        if (!negative && field[0] != 0x80)
        {
            throw new InvalidDataException($"the {what} field of a tar header is not a number");
        }
        // Only the last 8 bytes can carry a long; what is before them is sign extension.
        var high = field[1..^Math.Min(8, field.Length - 1)];
        byte extension = negative ? (byte)0xff : (byte)0;
        if (high.IndexOfAnyExcept(extension) >= 0)
        {
            throw new InvalidDataException($"the {what} field of a tar header is out of range");
        }
        Span<byte> tail = stackalloc byte[8];
        tail.Fill(extension);
        var low = field[^Math.Min(8, field.Length - 1)..];
        low.CopyTo(tail[(8 - low.Length)..]);
        long value = BinaryPrimitives.ReadInt64BigEndian(tail);
        if ((value < 0) != negative)
        {
            throw new InvalidDataException($"the {what} field of a tar header is out of range");
        }
        return value;
    }

    /// <summary>Whether the stored checksum matches the block's (unsigned sum, or signed as some old tars wrote it).</summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> block)
    {
        long stored = Number(block, ChecksumOffset, ChecksumLength, "checksum");
        long unsigned = 8 * ' ', signed = 8 * ' ';
        for (int i = 0; i < BlockSize; i++)
        {
            if (i is >= ChecksumOffset and < ChecksumOffset + ChecksumLength)
            {
                continue;
            }
            unsigned += block[i];
            signed += (sbyte)block[i];
        }
        return stored == unsigned || stored == signed;
    }

    /// <summary>A PAX decimal ("1000"), for size, uid and gid.</summary>
    public static long PaxNumber(ReadOnlySpan<byte> value, string key)
    {
        if (!long.TryParse(Encoding.ASCII.GetString(value), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
        {
            throw new InvalidDataException($"the PAX record {key}={Encoding.ASCII.GetString(value)} is not a number");
        }
        return n;
    }

    /// <summary>A PAX time ("1700000000.123456789", possibly negative) as a point in time.</summary>
    public static DateTimeOffset PaxTime(ReadOnlySpan<byte> value, string key)
    {
        string text = Encoding.ASCII.GetString(value);
        int dot = text.IndexOf('.');
        string whole = dot < 0 ? text : text[..dot];
        string fraction = dot < 0 ? "" : text[(dot + 1)..];
        if (!long.TryParse(whole, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds) || !fraction.All(char.IsAsciiDigit))
        {
            throw new InvalidDataException($"the PAX record {key}={text} is not a time");
        }
        long ticks = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0')[..7], CultureInfo.InvariantCulture);
        return UnixTime(seconds, whole.StartsWith('-') ? -ticks : ticks);
    }

    /// <summary>Seconds since the epoch (and 100 ns ticks) as a DateTimeOffset; out of its range is malformed.</summary>
    public static DateTimeOffset UnixTime(long seconds, long ticks = 0)
    {
        if (seconds is < -62_135_596_800 or > 253_402_300_799 - 1)
        {
            throw new InvalidDataException($"a modification time of {seconds} s since 1970 is out of range");
        }
        return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(ticks);
    }
}
